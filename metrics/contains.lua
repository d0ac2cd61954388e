-- SPDX-License-Identifier: MIT
-- contains: 1 when the output contains the reference (a sample field, or
-- fixed values), else 0. A list of references passes when any (or, with
-- all = true, every) one is found.
local ys = require "yardstick"

local function text(v)
  if type(v) == "string" then return v end
  if type(v) == "number" or type(v) == "boolean" then return tostring(v) end
  return ys.json.encode(v)
end

return {
  name = "contains",
  description = "1 when the output contains the reference text (any of a "
    .. "list, or all of it with all = true); else 0",
  kind = "binary",
  params = {
    expected = { type = "string", default = "expected",
                 doc = "sample field holding the text (or list of texts) "
                   .. "to find; ignored when values is given" },
    values = { type = "table",
               doc = "fixed texts to find instead of a sample field" },
    all = { type = "boolean", default = false,
            doc = "require every text, not just one" },
    ignore_case = { type = "boolean", default = false,
                    doc = "compare case-insensitively (Unicode)" },
  },
  score = function(p, sample, output, ctx)
    local want = p.values
    if want == nil then
      want = sample[p.expected]
      if want == nil or want == ys.json.null then
        error("sample '" .. ctx.id .. "' has no field '" .. p.expected
              .. "'", 0)
      end
    end
    if type(want) ~= "table" then want = { want } end
    if #want == 0 then error("nothing to look for", 0) end
    local hay = text(output)
    if p.ignore_case then hay = ys.casefold(hay) end
    local found = 0
    for _, w in ipairs(want) do
      local needle = text(w)
      if p.ignore_case then needle = ys.casefold(needle) end
      if hay:find(needle, 1, true) then found = found + 1 end
    end
    if p.all then return found == #want end
    return found > 0
  end,
}
