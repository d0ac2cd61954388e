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

local byte, find, gsub, sub = string.byte, string.find, string.gsub,
                              string.sub
local concat = table.concat

-- s without the characters of class lead at its start and of class tail
-- at its end (Lua pattern classes such as "%s").
local function strip(s, lead, tail)
  local i = find(s, "[^" .. lead .. "]")
  if not i then return "" end
  local j = s:match("^.*()[^" .. tail .. "]")
  if not j or j < i then return "" end
  return sub(s, i, j)
end

local function trim(s)
  return strip(s, "%s", "%s")
end

-- Runs of blanks as one space ("%s" is ASCII whitespace; a search first,
-- as most text has no run to collapse).
local function collapse(s)
  if find(s, "[\t-\r]") or find(s, "  ", 1, true) then
    s = gsub(s, "%s+", " ")
  end
  return s
end

-- The levels of path s: split at sep, each level trimmed, its blank runs
-- collapsed and, with fold, case-folded; empty levels dropped. When sep
-- has no blank, letter, digit or non-ASCII byte (whole), collapsing
-- cannot create or break a separator, nor can folding ASCII text, so
-- they are done once for the whole string: the same result, fewer calls.
-- (Folding other text composes characters, which could swallow a
-- separator: "> U+0338" is one character.)
local function split(s, sep, fold, whole)
  if whole then
    s = collapse(s)
    if fold and not find(s, "[\128-\255]") then
      s = ys.casefold(s)
      fold = false
    end
  end
  local parts, n, i = {}, 0, 1
  while true do
    local a, b = find(s, sep, i, true)
    local part = sub(s, i, (a or #s + 1) - 1)
    if whole then
      -- At most one blank at each end after collapsing.
      if byte(part, 1) == 32 then part = sub(part, 2) end
      if byte(part, -1) == 32 then part = sub(part, 1, -2) end
      if fold then part = ys.casefold(part) end
    else
      part = collapse(trim(part))
      if fold then part = ys.casefold(part) end
    end
    if part ~= "" then n = n + 1; parts[n] = part end
    if not a then break end
    i = b + 1
  end
  return parts
end

-- Bytes an answer's first and last characters may be stripped of.
local LEAD = { [32] = true, [34] = true, [39] = true, [96] = true }
for c = 9, 13 do LEAD[c] = true end
local TAIL = { [46] = true }
for c in pairs(LEAD) do TAIL[c] = true end

-- Models often wrap the answer: keep the first non-empty line and drop
-- surrounding quotes and backticks, blanks and trailing periods, in any
-- order ("A > B". too).
local function answer(s)
  local i = find(s, "%S")
  if not i then return "" end
  local e = find(s, "\n", i, true)
  local line = (e or i > 1) and sub(s, i, (e or #s + 1) - 1) or s
  if LEAD[byte(line, 1)] or TAIL[byte(line, -1)] then
    line = strip(line, "%s\"'`", "%s\"'`.")
  end
  return line
end

-- What one metric instance (its params table) keeps between calls: the
-- parsed taxonomy (ids -> path, and the set of normalised paths), the
-- level key names, and the levels of recent references and answers.
local states = setmetatable({}, { __mode = "k" })

local function state(p)
  local t = states[p]
  if t then return t end
  local whole = not find(p.sep, "[%s%w\128-\255]")
  t = { keys = {}, whole = whole, gold = {}, pred = {}, memo = 0 }
  for k = 1, p.levels do t.keys[k] = "level" .. k end
  if p.taxonomy then
    local by_id, paths, n = {}, {}, 0
    for line in (p.taxonomy .. "\n"):gmatch("(.-)\r?\n") do
      if not line:match("^%s*#") and line:match("%S") then
        local id, at = line:match("^%s*(%d+)%s+%-%s+()")
        local path = trim(at and line:sub(at) or line)
        local parts = split(path, p.sep, p.ignore_case, whole)
        paths[concat(parts, "\0")] = true
        if id then by_id[id] = path end
        n = n + 1
      end
    end
    if n == 0 then error("the taxonomy file has no categories", 0) end
    t.tax = { by_id = by_id, paths = paths }
  end
  states[p] = t
  return t
end

-- Levels of recent short texts are remembered: references repeat (a
-- taxonomy has a few thousand categories) and so do answers. Bounded:
-- the memory starts over past MEMO entries, and long texts are not kept.
local MEMO, MEMO_LEN = 4096, 200

local function remember(st, which, s, parts)
  if #s <= MEMO_LEN then
    if st.memo >= MEMO then st.gold, st.pred, st.memo = {}, {}, 0 end
    st[which][s] = parts
    st.memo = st.memo + 1
  end
  return parts
end

-- The reference's levels (an id stands for its path).
local function gold_levels(p, st, want)
  local w = want
  if st.tax then
    -- Ids stand for their paths (a leading "ID - " is dropped too).
    w = st.tax.by_id[w:match("^%s*(%d+)%s*$") or ""] or w
  end
  return remember(st, "gold", want, split(w, p.sep, p.ignore_case,
                                           st.whole))
end

-- The answer's levels (an id, or "ID - path", stands for its path).
local function pred_levels(p, st, output)
  local got = answer(output)
  if st.tax then
    local id = got:match("^(%d+)$") or got:match("^(%d+)%s+%-%s+")
    got = (id and st.tax.by_id[id]) or got:gsub("^%d+%s+%-%s+", "")
  end
  return remember(st, "pred", output, split(got, p.sep, p.ignore_case,
                                             st.whole))
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
      state(p) -- parse (and check) the taxonomy now
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
    local st = state(p)
    local pred = st.pred[output]
    if not pred then
      -- Folding case needs text (checked here for a clear message).
      if p.ignore_case and not utf8.len(output) then
        error("the output is not valid UTF-8 text", 0)
      end
      pred = pred_levels(p, st, output)
    end
    local gold = st.gold[want] or gold_levels(p, st, want)
    if #gold == 0 then
      error("sample '" .. ctx.id .. "' has an empty '" .. p.expected
            .. "'", 0)
    end
    local r = {}
    local ok, keys = true, st.keys
    for k = 1, p.levels do
      local depth = k < #gold and k or #gold
      if k <= #gold then
        ok = ok and pred[k] == gold[k]
      end
      r[keys[k]] = ok and #pred >= depth
    end
    if st.tax then
      r.valid = #pred > 0 and st.tax.paths[concat(pred, "\0")] == true
    end
    return r
  end,
}
