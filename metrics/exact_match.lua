-- SPDX-License-Identifier: MIT
-- exact_match: 1 when the output equals the sample's reference after the
-- chosen normalisation, else 0. Normalisation is Unicode-aware (NFKC,
-- case folding, Unicode whitespace and punctuation).
local ys = require "yardstick"

local function text(v)
  if type(v) == "string" then return v end
  if type(v) == "number" or type(v) == "boolean" then return tostring(v) end
  return ys.json.encode(v)
end

-- Calls a ys helper; its error is raised without this file's position.
local function call(f, ...)
  local r = table.pack(pcall(f, ...))
  if not r[1] then error(r[2], 0) end
  return table.unpack(r, 2, r.n)
end

-- Leading and trailing blanks removed, in linear time: "%s+$" retries at
-- every blank of every run, quadratic on long blank runs.
local function trim(s)
  local i = s:find("%S")
  if not i then return "" end
  return s:sub(i, s:match("^.*()%S"))
end

-- Punctuation goes first, so "Paris !" becomes "Paris " and then "Paris".
local function normalise(p, s)
  if p.ignore_case or p.strip_punctuation then
    s = call(ys.normalize, s, { case = p.ignore_case, whitespace = false,
                                punctuation = p.strip_punctuation })
  end
  if p.collapse_whitespace then
    if s:find("[\128-\255]") then
      local r, err = ys.re.gsub(s, "\\s+", " ")
      if not r then error("cannot compare: " .. err, 0) end
      s = r
    elseif s:find("[\t-\r]") or s:find("  ", 1, true) then
      -- ASCII: Unicode whitespace is Lua's %s, and most text has no run
      -- to collapse.
      s = s:gsub("%s+", " ")
    end
  end
  if p.trim then s = trim(s) end
  return s
end

-- Normalised forms of recent short texts, per metric instance (its
-- params table): references repeat, and so do answers. Bounded: the
-- memory starts over past MEMO entries, and long texts are not kept.
local MEMO, MEMO_LEN = 4096, 200
local memos = setmetatable({}, { __mode = "k" })

local function normalised(p, s)
  local m = memos[p]
  if not m then
    m = { n = 0, seen = {} }
    memos[p] = m
  end
  local r = m.seen[s]
  if r then return r end
  r = normalise(p, s)
  if #s <= MEMO_LEN then
    if m.n >= MEMO then m.seen, m.n = {}, 0 end
    m.seen[s] = r
    m.n = m.n + 1
  end
  return r
end

return {
  name = "exact_match",
  description = "1 when the output equals the reference field, after "
    .. "optional trimming, whitespace collapsing, punctuation stripping "
    .. "and case folding (Unicode-aware); else 0",
  kind = "binary",
  params = {
    expected = { type = "string", default = "expected",
                 doc = "sample field holding the reference answer" },
    trim = { type = "boolean", default = true,
             doc = "ignore leading and trailing whitespace" },
    collapse_whitespace = { type = "boolean", default = true,
                            doc = "treat runs of whitespace as one space" },
    strip_punctuation = { type = "boolean", default = false,
                          doc = "remove punctuation before comparing" },
    ignore_case = { type = "boolean", default = false,
                    doc = "compare case-insensitively (Unicode case folding)" },
  },
  score = function(p, sample, output, ctx)
    local want = sample[p.expected]
    if want == nil or want == ys.json.null then
      error("sample '" .. ctx.id .. "' has no field '" .. p.expected .. "'", 0)
    end
    local a, b = text(output), text(want)
    if a == b and not p.strip_punctuation then
      -- Equal strings stay equal under trimming, collapsing and folding.
      return true
    end
    return normalised(p, a) == normalised(p, b)
  end,
}
