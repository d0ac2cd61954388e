-- SPDX-License-Identifier: MIT
-- length: the output's length, in characters (code points), words or
-- bytes. Counting characters or words needs UTF-8 text: other output is
-- an error (bytes are counted whatever they are).
local ys = require "yardstick"

local function measure(s, unit)
  if unit == "bytes" then return #s end
  if not utf8.len(s) then
    error("the output is not valid UTF-8 text (only unit = \"bytes\" "
          .. "can measure it)", 0)
  end
  if unit == "words" then return #ys.words(s) end
  return utf8.len(s)
end

return {
  name = "length",
  description = "the output's length in characters (or words, or bytes)",
  params = {
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
    local s = type(output) == "string" and output or ys.json.encode(output)
    return measure(s, p.unit)
  end,
}
