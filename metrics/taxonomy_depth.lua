-- SPDX-License-Identifier: MIT
-- taxonomy_depth: accuracy at each level of a category path such as
-- "Clothing > Women's Clothing > Shorts". A prediction is right at level k
-- when its first k levels equal the reference's. When the reference has
-- fewer than k levels, level k is judged on all of them (a prediction may
-- not be wrong below the reference's leaf, and must reach it).
--
-- With taxonomy = "file" in the Google Product Taxonomy format
-- ("166 - Apparel & Accessories > Clothing"), a prediction (or reference)
-- may also be a category id, and the extra score `valid` says whether the
-- predicted path is a real category at all: hallucinated categories are a
-- common failure.
--
-- Text is trimmed and cleaned with linear patterns only: "^%s*(.-)%s*$"
-- and the like retry at every character of a run and take seconds on an
-- output with long blank runs.
local ys = require "yardstick"

-- s without the characters of class lead at its start and of class tail
-- at its end (Lua pattern classes such as "%s").
local function strip(s, lead, tail)
  local i = s:find("[^" .. lead .. "]")
  if not i then return "" end
  local j = s:match("^.*()[^" .. tail .. "]")
  if not j or j < i then return "" end
  return s:sub(i, j)
end

local function trim(s)
  return strip(s, "%s", "%s")
end

local function split(s, sep, ignore_case)
  local parts = {}
  local i = 1
  while true do
    local a, b = s:find(sep, i, true)
    local part = a and s:sub(i, a - 1) or s:sub(i)
    part = trim(part):gsub("%s+", " ")
    if ignore_case then part = ys.casefold(part) end
    if part ~= "" then parts[#parts + 1] = part end
    if not a then break end
    i = b + 1
  end
  return parts
end

-- Models often wrap the answer: keep the first non-empty line and drop
-- surrounding quotes and backticks, blanks and trailing periods, in any
-- order ("A > B". too).
local function answer(s)
  for line in (s .. "\n"):gmatch("(.-)\r?\n") do
    if line:find("%S") then
      return strip(line, "%s\"'`", "%s\"'`.")
    end
  end
  return ""
end

-- The parsed taxonomy of a params table: ids -> path, and the set of
-- normalised paths. Parsed once per metric instance.
local parsed = setmetatable({}, { __mode = "k" })

local function taxonomy(p)
  local t = parsed[p]
  if t then return t end
  t = { by_id = {}, paths = {} }
  local n = 0
  for line in (p.taxonomy .. "\n"):gmatch("(.-)\r?\n") do
    if not line:match("^%s*#") and line:match("%S") then
      local id, at = line:match("^%s*(%d+)%s+%-%s+()")
      local path = trim(at and line:sub(at) or line)
      local parts = split(path, p.sep, p.ignore_case)
      local key = table.concat(parts, "\0")
      t.paths[key] = true
      if id then t.by_id[id] = path end
      n = n + 1
    end
  end
  if n == 0 then error("the taxonomy file has no categories", 0) end
  parsed[p] = t
  return t
end

return {
  name = "taxonomy_depth",
  description = "accuracy at taxonomy depth 1..levels: level k is 1 when "
    .. "the first k levels of the predicted path equal the reference's; "
    .. "with a taxonomy file, also whether the prediction is a real "
    .. "category (valid), and ids are accepted for paths",
  kind = "binary",
  params = {
    expected = { type = "string", default = "expected",
                 doc = "sample field holding the reference path (or id)" },
    levels = { type = "integer", default = 3,
               doc = "how many levels to score (1 to 20)" },
    sep = { type = "string", default = ">",
            doc = "level separator; spaces around it are ignored" },
    ignore_case = { type = "boolean", default = true,
                    doc = "compare level names case-insensitively" },
    taxonomy = { type = "file",
                 doc = "the category list, one per line, optionally as "
                   .. "\"ID - A > B > C\" (the Google Product Taxonomy "
                   .. "format); adds the score 'valid'" },
  },
  keys = function(p)
    if p.levels < 1 or p.levels > 20 then
      error("levels must be from 1 to 20", 0)
    end
    if p.sep == "" then error("sep must not be empty", 0) end
    if p.taxonomy and p.ignore_case and not utf8.len(p.taxonomy) then
      error("the taxonomy file is not valid UTF-8 text", 0)
    end
    local k = {}
    for i = 1, p.levels do k[i] = "level" .. i end
    if p.taxonomy then
      taxonomy(p) -- parse (and check) it now
      k[#k + 1] = "valid"
    end
    return k
  end,
  score = function(p, sample, output, ctx)
    local want = sample[p.expected]
    if p.taxonomy and math.type(want) == "integer" then
      want = tostring(want) -- a category id
    end
    if type(want) ~= "string" then
      error("sample '" .. ctx.id .. "' has no string field '"
            .. p.expected .. "'", 0)
    end
    if type(output) ~= "string" then output = ys.json.encode(output) end
    -- Folding case needs text (checked here for a clear message).
    if p.ignore_case and not utf8.len(output) then
      error("the output is not valid UTF-8 text", 0)
    end
    local got = answer(output)
    local tax = p.taxonomy and taxonomy(p)
    if tax then
      -- Ids stand for their paths (a leading "ID - " is dropped too).
      want = tax.by_id[want:match("^%s*(%d+)%s*$") or ""] or want
      local id = got:match("^(%d+)$") or got:match("^(%d+)%s+%-%s+")
      got = (id and tax.by_id[id]) or got:gsub("^%d+%s+%-%s+", "")
    end
    local gold = split(want, p.sep, p.ignore_case)
    if #gold == 0 then
      error("sample '" .. ctx.id .. "' has an empty '" .. p.expected
            .. "'", 0)
    end
    local pred = split(got, p.sep, p.ignore_case)
    local r = {}
    local ok = true
    for k = 1, p.levels do
      local depth = math.min(k, #gold)
      if k <= #gold then
        ok = ok and pred[k] == gold[k]
      end
      r["level" .. k] = ok and #pred >= depth
    end
    if tax then
      r.valid = #pred > 0 and tax.paths[table.concat(pred, "\0")] == true
    end
    return r
  end,
}
