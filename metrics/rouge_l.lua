-- SPDX-License-Identifier: MIT
-- rouge_l: ROUGE-L between the output and the reference: the longest
-- common subsequence of words, as precision, recall and the F-measure
-- (beta = 1.2 as in the original ROUGE; set beta = 1 for plain F1).
local ys = require "yardstick"

local function text(v)
  if type(v) == "string" then return v end
  if type(v) == "number" or type(v) == "boolean" then return tostring(v) end
  return ys.json.encode(v)
end

local function words(s)
  return ys.words(ys.normalize(s, { punctuation = true }))
end

local function lcs(a, b)
  local prev, cur = {}, {}
  for j = 0, #b do prev[j] = 0 end
  for i = 1, #a do
    cur[0] = 0
    for j = 1, #b do
      if a[i] == b[j] then cur[j] = prev[j - 1] + 1
      else cur[j] = math.max(prev[j], cur[j - 1]) end
    end
    prev, cur = cur, prev
  end
  return prev[#b]
end

return {
  name = "rouge_l",
  description = "ROUGE-L: longest common subsequence of words with the "
    .. "reference, as precision, recall and F-measure",
  keys = { "f", "precision", "recall" },
  params = {
    expected = { type = "string", default = "expected",
                 doc = "sample field holding the reference text" },
    beta = { type = "number", default = 1.2,
             doc = "weight of recall in the F-measure" },
    max_words = { type = "integer", default = 5000,
                  doc = "longer texts are an error (the cost is quadratic)" },
  },
  score = function(p, sample, output, ctx)
    local want = sample[p.expected]
    if want == nil or want == ys.json.null then
      error("sample '" .. ctx.id .. "' has no field '" .. p.expected .. "'",
            0)
    end
    local a, b = words(text(output)), words(text(want))
    if #a > p.max_words or #b > p.max_words then
      error("text longer than max_words (" .. p.max_words .. ")", 0)
    end
    if #a == 0 and #b == 0 then return { f = 1, precision = 1, recall = 1 } end
    local l = lcs(a, b)
    if l == 0 then return { f = 0, precision = 0, recall = 0 } end
    local prec, rec = l / #a, l / #b
    local b2 = p.beta * p.beta
    local f = (1 + b2) * prec * rec / (rec + b2 * prec)
    return { f = f, precision = prec, recall = rec }
  end,
}
