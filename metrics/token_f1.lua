-- SPDX-License-Identifier: MIT
-- token_f1: the F1 of the words the output and the reference share,
-- counted with multiplicity, after normalisation: NFKC, case folded,
-- punctuation dropped, words as ys.words splits them. SQuAD's F1 also
-- drops the articles a, an and the: drop_articles = true does that too
-- (off by default, as the articles are English).
local ys = require "yardstick"

local ARTICLES = { a = true, an = true, the = true }

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

local function bag(s, drop_articles)
  local words = call(ys.words, call(ys.normalize, s, { punctuation = true }))
  local counts, n = {}, 0
  for _, w in ipairs(words) do
    if not (drop_articles and ARTICLES[w]) then
      counts[w] = (counts[w] or 0) + 1
      n = n + 1
    end
  end
  return counts, n
end

return {
  name = "token_f1",
  description = "F1 of the words shared by the output and the reference "
    .. "(case folded, punctuation dropped, with multiplicity; SQuAD's with "
    .. "drop_articles)",
  params = {
    expected = { type = "string", default = "expected",
                 doc = "sample field holding the reference text" },
    drop_articles = { type = "boolean", default = false,
                      doc = "ignore the words a, an and the, as SQuAD does" },
  },
  score = function(p, sample, output, ctx)
    local want = sample[p.expected]
    if want == nil or want == ys.json.null then
      error("sample '" .. ctx.id .. "' has no field '" .. p.expected .. "'",
            0)
    end
    local a, na = bag(text(output), p.drop_articles)
    local b, nb = bag(text(want), p.drop_articles)
    if na == 0 and nb == 0 then return 1 end
    if na == 0 or nb == 0 then return 0 end
    local same = 0
    for w, c in pairs(a) do same = same + math.min(c, b[w] or 0) end
    if same == 0 then return 0 end
    local prec, rec = same / na, same / nb
    return 2 * prec * rec / (prec + rec)
  end,
}
