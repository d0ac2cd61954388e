-- SPDX-License-Identifier: MIT
-- edit_distance: Levenshtein distance between the output and the reference
-- in characters (Unicode code points), and the similarity 1 - distance /
-- the longer length. ys.edit_distance does the work in C: it skips the
-- common start and end, and refuses texts over 1 MiB or past 2^27 cells
-- of the rest (the time limit cannot stop C code); its message is passed
-- on as the error.
local ys = require "yardstick"

-- Calls a ys helper; its error is raised without this file's position.
local function call(f, ...)
  local r = table.pack(pcall(f, ...))
  if not r[1] then error(r[2], 0) end
  return table.unpack(r, 2, r.n)
end

local function text(v)
  if type(v) == "string" then return v end
  if type(v) == "number" or type(v) == "boolean" then return tostring(v) end
  return ys.json.encode(v)
end

return {
  name = "edit_distance",
  description = "Levenshtein distance to the reference in characters, and "
    .. "similarity = 1 - distance / longer length",
  keys = { "distance", "similarity" },
  params = {
    expected = { type = "string", default = "expected",
                 doc = "sample field holding the reference text" },
    normalize = { type = "boolean", default = false,
                  doc = "compare after case folding and collapsing blanks" },
  },
  score = function(p, sample, output, ctx)
    local want = sample[p.expected]
    if want == nil or want == ys.json.null then
      error("sample '" .. ctx.id .. "' has no field '" .. p.expected .. "'",
            0)
    end
    local a, b = text(output), text(want)
    if p.normalize then a, b = call(ys.normalize, a), call(ys.normalize, b) end
    local d, rel = call(ys.edit_distance, a, b)
    return { distance = d, similarity = 1 - rel }
  end,
}
