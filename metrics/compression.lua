-- SPDX-License-Identifier: MIT
-- compression: the output's length over the input's (the prompt, or a
-- sample field): a summary should be well below 1.
local ys = require "yardstick"

local function measure(s, unit)
  if unit == "bytes" then return #s end
  if unit == "words" then return #ys.words(s) end
  return utf8.len(s) or #s
end

return {
  name = "compression",
  description = "output length / input length (the prompt, or a sample "
    .. "field)",
  params = {
    input = { type = "string",
              doc = "sample field holding the input text (default: the "
                .. "user prompt)" },
    unit = { type = "string", default = "characters",
             doc = "characters, words or bytes" },
  },
  keys = function(p)
    if p.unit ~= "characters" and p.unit ~= "words" and p.unit ~= "bytes" then
      error("unit must be characters, words or bytes", 0)
    end
    return nil
  end,
  score = function(p, sample, output, ctx)
    local input = p.input and sample[p.input] or ctx.prompt
    if type(input) ~= "string" then
      error(p.input and ("sample '" .. ctx.id .. "' has no text field '"
                         .. p.input .. "'")
            or "no prompt text (give input = \"field\")", 0)
    end
    local n = measure(input, p.unit)
    if n == 0 then error("the input is empty", 0) end
    local s = type(output) == "string" and output or ys.json.encode(output)
    return measure(s, p.unit) / n
  end,
}
