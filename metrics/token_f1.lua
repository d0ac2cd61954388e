-- SPDX-License-Identifier: MIT
-- token_f1: the F1 of the words the output and the reference share (as in
-- SQuAD: case folded, punctuation dropped, counted with multiplicity).
local ys = require "yardstick"

local function text(v)
  if type(v) == "string" then return v end
  if type(v) == "number" or type(v) == "boolean" then return tostring(v) end
  return ys.json.encode(v)
end

local function bag(s)
  local words = ys.words(ys.normalize(s, { punctuation = true }))
  local counts = {}
  for _, w in ipairs(words) do counts[w] = (counts[w] or 0) + 1 end
  return counts, #words
end

return {
  name = "token_f1",
  description = "F1 of the words shared by the output and the reference "
    .. "(case folded, punctuation dropped, with multiplicity)",
  params = {
    expected = { type = "string", default = "expected",
                 doc = "sample field holding the reference text" },
  },
  score = function(p, sample, output, ctx)
    local want = sample[p.expected]
    if want == nil or want == ys.json.null then
      error("sample '" .. ctx.id .. "' has no field '" .. p.expected .. "'",
            0)
    end
    local a, na = bag(text(output))
    local b, nb = bag(text(want))
    if na == 0 and nb == 0 then return 1 end
    if na == 0 or nb == 0 then return 0 end
    local same = 0
    for w, c in pairs(a) do same = same + math.min(c, b[w] or 0) end
    if same == 0 then return 0 end
    local prec, rec = same / na, same / nb
    return 2 * prec * rec / (prec + rec)
  end,
}
