-- SPDX-License-Identifier: MIT
-- taxonomy_depth: accuracy at each level of a category path such as
-- "Clothing > Women's Clothing > Shorts". A prediction is right at level k
-- when its first k levels equal the reference's. When the reference has
-- fewer than k levels, level k is judged on all of them (a prediction may
-- not be wrong below the reference's leaf, and must reach it).
local ys = require "yardstick"

local function split(s, sep, ignore_case)
  local parts = {}
  local i = 1
  while true do
    local a, b = s:find(sep, i, true)
    local part = s:sub(i, (a or 0) - 1)
    if not a then part = s:sub(i) end
    part = part:match("^%s*(.-)%s*$"):gsub("%s+", " ")
    if ignore_case then part = part:lower() end
    if part ~= "" then parts[#parts + 1] = part end
    if not a then break end
    i = b + 1
  end
  return parts
end

-- Models often wrap the answer: keep the first non-empty line and drop
-- surrounding quotes and a trailing period, in any order ("A > B". too).
local function answer(s)
  for line in (s .. "\n"):gmatch("(.-)\r?\n") do
    line = line:match("^%s*(.-)%s*$")
    if line ~= "" then
      local before
      repeat
        before = line
        line = line:gsub('^["\'`]+', ""):gsub('["\'`]+$', "")
        line = line:gsub("%.$", ""):match("^%s*(.-)%s*$")
      until line == before
      return line
    end
  end
  return ""
end

return {
  name = "taxonomy_depth",
  description = "accuracy at taxonomy depth 1..levels: level k is 1 when "
    .. "the first k levels of the predicted path equal the reference's",
  kind = "binary",
  params = {
    expected = { type = "string", default = "expected",
                 doc = "sample field holding the reference path" },
    levels = { type = "integer", default = 3,
               doc = "how many levels to score (1 to 20)" },
    sep = { type = "string", default = ">",
            doc = "level separator; spaces around it are ignored" },
    ignore_case = { type = "boolean", default = true,
                    doc = "compare level names case-insensitively" },
  },
  keys = function(p)
    if p.levels < 1 or p.levels > 20 then
      error("levels must be from 1 to 20", 0)
    end
    if p.sep == "" then error("sep must not be empty", 0) end
    local k = {}
    for i = 1, p.levels do k[i] = "level" .. i end
    return k
  end,
  score = function(p, sample, output, ctx)
    local want = sample[p.expected]
    if type(want) ~= "string" then
      error("sample '" .. ctx.id .. "' has no string field '"
            .. p.expected .. "'", 0)
    end
    if type(output) ~= "string" then output = ys.json.encode(output) end
    local gold = split(want, p.sep, p.ignore_case)
    if #gold == 0 then
      error("sample '" .. ctx.id .. "' has an empty '" .. p.expected
            .. "'", 0)
    end
    local pred = split(answer(output), p.sep, p.ignore_case)
    local r = {}
    local ok = true
    for k = 1, p.levels do
      local depth = math.min(k, #gold)
      if k <= #gold then
        ok = ok and pred[k] == gold[k]
      end
      r["level" .. k] = ok and #pred >= depth
    end
    return r
  end,
}
