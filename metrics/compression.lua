-- SPDX-License-Identifier: MIT
-- compression: the output's length over the input's (a sample field given
-- by `input`, else the user prompt): a summary should be well below 1.
-- Counting characters or words needs UTF-8 text on both sides.
local ys = require "yardstick"

local function measure(s, unit, what)
  if unit == "bytes" then return #s end
  if not utf8.len(s) then
    error(what .. " is not valid UTF-8 text (only unit = \"bytes\" "
          .. "can measure it)", 0)
  end
  if unit == "words" then return #ys.words(s) end
  return utf8.len(s)
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
    local input
    if p.input then
      -- A field that is set must be there: never fall back to the prompt.
      input = sample[p.input]
      if type(input) ~= "string" then
        error("sample '" .. ctx.id .. "' has no text field '" .. p.input
              .. "'", 0)
      end
    else
      input = ctx.prompt
      if type(input) ~= "string" then
        error("no prompt text (give input = \"field\")", 0)
      end
    end
    local n = measure(input, p.unit, "the input")
    if n == 0 then error("the input is empty", 0) end
    local s = type(output) == "string" and output or ys.json.encode(output)
    return measure(s, p.unit, "the output") / n
  end,
}
