-- SPDX-License-Identifier: MIT
-- json_valid: 1 when the output is JSON (with extract = true, when a JSON
-- value can be found in it: a fenced code block, or the first {...}).
-- An output that is already a value (a table, number or boolean returned
-- by evaluate) is JSON; with object = true only an object counts.
local ys = require "yardstick"

local function is_object(v)
  return type(v) == "table" and getmetatable(v) == nil
end

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
    local v, err = output, nil
    if type(output) == "string" then
      if p.extract then v, err = ys.json.extract(output)
      else v, err = ys.json.decode(output) end
      if v == nil then return false, { error = err } end
    end
    if p.object and not is_object(v) then
      return false, { error = "not a JSON object" }
    end
    return true
  end,
}
