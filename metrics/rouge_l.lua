-- SPDX-License-Identifier: MIT
-- rouge_l: ROUGE-L between the output and the reference: the longest
-- common subsequence of words, as precision, recall and the F-measure
-- (beta = 1.2 as in the original ROUGE; set beta = 1 for plain F1). The
-- LCS is ys.lcs's, in C: texts of up to max_words words each score in a
-- fraction of a second.
local ys = require "yardstick"

-- ys.lcs refuses past 2^27 cells; two texts of this many words stay below.
local MAX_WORDS = 11585

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

local function words(s)
  return call(ys.words, call(ys.normalize, s, { punctuation = true }))
end

return {
  name = "rouge_l",
  description = "ROUGE-L: longest common subsequence of words with the "
    .. "reference, as precision, recall and F-measure",
  keys = function(p)
    if p.beta < 0 then error("beta must be 0 or more", 0) end
    if p.max_words < 1 or p.max_words > MAX_WORDS then
      error("max_words must be from 1 to " .. MAX_WORDS, 0)
    end
    return { "f", "precision", "recall" }
  end,
  params = {
    expected = { type = "string", default = "expected",
                 doc = "sample field holding the reference text" },
    beta = { type = "number", default = 1.2,
             doc = "weight of recall in the F-measure (0 or more)" },
    max_words = { type = "integer", default = 5000,
                  doc = "longer texts are an error (1 to " .. MAX_WORDS
                    .. "; the cost grows with the product of the lengths)" },
  },
  score = function(p, sample, output, ctx)
    local want = sample[p.expected]
    if want == nil or want == ys.json.null then
      error("sample '" .. ctx.id .. "' has no field '" .. p.expected .. "'",
            0)
    end
    local a, b = words(text(output)), words(text(want))
    for _, t in ipairs({ { "output", a }, { "reference", b } }) do
      if #t[2] > p.max_words then
        error("text longer than max_words (" .. p.max_words .. "): the "
              .. t[1] .. " has " .. #t[2] .. " words", 0)
      end
    end
    if #a == 0 and #b == 0 then return { f = 1, precision = 1, recall = 1 } end
    local l = call(ys.lcs, a, b)
    if l == 0 then return { f = 0, precision = 0, recall = 0 } end
    local prec, rec = l / #a, l / #b
    local b2 = p.beta * p.beta
    local f = (1 + b2) * prec * rec / (rec + b2 * prec)
    return { f = f, precision = prec, recall = rec }
  end,
}
