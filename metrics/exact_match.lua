-- SPDX-License-Identifier: MIT
-- exact_match: 1 when the output equals the sample's reference after the
-- chosen normalisation, else 0. Case folding is ASCII-only here.
local ys = require "yardstick"

-- Punctuation goes first, so "Paris !" becomes "Paris " and then "Paris".
local function normalise(p, s)
  if p.strip_punctuation then s = s:gsub("%p", "") end
  if p.collapse_whitespace then s = s:gsub("%s+", " ") end
  if p.trim then s = s:match("^%s*(.-)%s*$") end
  if p.ignore_case then s = s:lower() end
  return s
end

local function text(v)
  if type(v) == "string" then return v end
  if type(v) == "number" or type(v) == "boolean" then return tostring(v) end
  return ys.json.encode(v)
end

return {
  name = "exact_match",
  description = "1 when the output equals the reference field, after "
    .. "optional trimming, whitespace collapsing, punctuation stripping "
    .. "and case folding; else 0",
  kind = "binary",
  params = {
    expected = { type = "string", default = "expected",
                 doc = "sample field holding the reference answer" },
    trim = { type = "boolean", default = true,
             doc = "ignore leading and trailing whitespace" },
    collapse_whitespace = { type = "boolean", default = true,
                            doc = "treat runs of whitespace as one space" },
    strip_punctuation = { type = "boolean", default = false,
                          doc = "remove ASCII punctuation before comparing" },
    ignore_case = { type = "boolean", default = false,
                    doc = "compare ASCII letters case-insensitively" },
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
    return normalise(p, a) == normalise(p, b)
  end,
}
