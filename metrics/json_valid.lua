-- SPDX-License-Identifier: MIT
-- json_valid: 1 when the output is JSON (with extract = true, when a JSON
-- value can be found in it: a fenced code block, or the first {...}).
local ys = require "yardstick"

return {
  name = "json_valid",
  description = "1 when the output is valid JSON (or, with extract, "
    .. "contains a JSON value in a code block or braces); else 0",
  kind = "binary",
  params = {
    extract = { type = "boolean", default = false,
                doc = "look for JSON inside chatty output (```json blocks, "
                  .. "the first {...})" },
    object = { type = "boolean", default = false,
               doc = "require a JSON object, not any value" },
  },
  score = function(p, sample, output, ctx)
    if type(output) == "table" then
      return not p.object or getmetatable(output) == nil
    end
    if type(output) ~= "string" then return false end
    local v, err
    if p.extract then v, err = ys.json.extract(output)
    else v, err = ys.json.decode(output) end
    if v == nil then return false, { error = err } end
    if p.object and (type(v) ~= "table" or getmetatable(v) ~= nil) then
      return false, { error = "not a JSON object" }
    end
    return true
  end,
}
