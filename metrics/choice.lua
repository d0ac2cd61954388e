-- SPDX-License-Identifier: MIT
-- choice: for classification answers that ramble. Finds which of the
-- allowed options the output mentions first (the longest one when several
-- start at the same place) and scores 1 when it is the reference.
local ys = require "yardstick"

return {
  name = "choice",
  description = "1 when the first allowed option mentioned in the output "
    .. "is the reference; options come from a list or a sample field",
  kind = "binary",
  params = {
    options = { type = "table",
                doc = "the allowed answers (a list of strings)" },
    options_field = { type = "string",
                      doc = "sample field holding the allowed answers, "
                        .. "instead of options" },
    expected = { type = "string", default = "expected",
                 doc = "sample field holding the right answer" },
    ignore_case = { type = "boolean", default = true,
                    doc = "match options case-insensitively" },
  },
  keys = function(p)
    if not p.options and not p.options_field then
      error("give options = { ... } or options_field = \"...\"", 0)
    end
    return nil
  end,
  score = function(p, sample, output, ctx)
    local opts = p.options or sample[p.options_field]
    if type(opts) ~= "table" or #opts == 0 then
      error("sample '" .. ctx.id .. "': no options to choose from", 0)
    end
    local want = sample[p.expected]
    if type(want) ~= "string" then
      error("sample '" .. ctx.id .. "' has no string field '" .. p.expected
            .. "'", 0)
    end
    local s = type(output) == "string" and output or ys.json.encode(output)
    local fold = p.ignore_case and ys.casefold or function(x) return x end
    local hay = fold(s)
    local best, at, blen
    for _, o in ipairs(opts) do
      if type(o) == "string" and o ~= "" then
        local i = hay:find(fold(o), 1, true)
        if i and (not at or i < at or (i == at and #o > blen)) then
          best, at, blen = o, i, #o
        end
      end
    end
    if not best then return false, { chosen = ys.json.null } end
    return fold(best) == fold(want), { chosen = best }
  end,
}
