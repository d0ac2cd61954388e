-- SPDX-License-Identifier: MIT
-- json_schema: 1 when the output is JSON that satisfies a schema, in a
-- practical subset of JSON Schema: type, required, properties,
-- additionalProperties, enum, const, pattern, minLength, maxLength,
-- minimum, maximum, exclusiveMinimum, exclusiveMaximum, items, minItems,
-- maxItems. The detail names the first failing path ($.a.b[2]) and why.
-- Keywords apply to their own type only (minItems to arrays, minLength to
-- strings, ...). Arrays and objects are told apart as decoded JSON marks
-- them (an array's table has a metatable), so {} is an object, never an
-- empty array.
local ys = require "yardstick"

local function is_array(v)
  return type(v) == "table" and getmetatable(v) ~= nil
end

local function json_type(v)
  if v == ys.json.null then return "null" end
  local t = type(v)
  if t == "table" then return is_array(v) and "array" or "object" end
  if t == "number" then return math.type(v) == "integer" and "integer"
    or (v == math.floor(v) and "integer" or "number") end
  if t == "boolean" then return "boolean" end
  return t
end

local function type_ok(want, got)
  return want == got or (want == "number" and got == "integer")
end

local validate

local function check(s, v, path)
  if type(s) ~= "table" then return true end
  local got = json_type(v)
  if s.type then
    local types = type(s.type) == "table" and s.type or { s.type }
    local ok = false
    for _, t in ipairs(types) do ok = ok or type_ok(t, got) end
    if not ok then
      return false, path, "expected " .. table.concat(types, " or ")
        .. ", got " .. got
    end
  end
  if s.enum then
    local ok = false
    for _, e in ipairs(s.enum) do
      if e == v or (type(e) == "table" and type(v) == "table"
                    and ys.json.encode(e) == ys.json.encode(v)) then
        ok = true
      end
    end
    if not ok then return false, path, "not one of the allowed values" end
  end
  if s.const ~= nil and ys.json.encode(s.const) ~= ys.json.encode(v) then
    return false, path, "not the required value"
  end
  if got == "string" then
    local n = utf8.len(v) or #v
    if s.minLength and n < s.minLength then
      return false, path, "shorter than " .. s.minLength
    end
    if s.maxLength and n > s.maxLength then
      return false, path, "longer than " .. s.maxLength
    end
    if s.pattern then
      -- A bad pattern, or one that runs into PCRE2's match limit, is an
      -- error: not a failed (or passed) document.
      local ok, i, err = pcall(ys.re.find, v, s.pattern)
      if not ok or (i == nil and err ~= nil) then
        error("the schema's pattern at " .. path .. " cannot be used: "
              .. tostring(ok and err or i), 0)
      end
      if not i then return false, path, "does not match " .. s.pattern end
    end
  end
  if got == "integer" or got == "number" then
    if s.minimum and v < s.minimum then
      return false, path, "less than " .. s.minimum
    end
    if s.maximum and v > s.maximum then
      return false, path, "more than " .. s.maximum
    end
    if s.exclusiveMinimum and v <= s.exclusiveMinimum then
      return false, path, "not more than " .. s.exclusiveMinimum
    end
    if s.exclusiveMaximum and v >= s.exclusiveMaximum then
      return false, path, "not less than " .. s.exclusiveMaximum
    end
  end
  if got == "object" then
    for _, k in ipairs(s.required or {}) do
      local x = v[k]
      if x == nil then
        return false, path .. "." .. k, "missing (required)"
      end
    end
    local props = s.properties or {}
    local keys = {}
    for k in pairs(v) do keys[#keys + 1] = k end
    table.sort(keys)
    for _, k in ipairs(keys) do
      if props[k] then
        local ok, p2, why = check(props[k], v[k], path .. "." .. k)
        if not ok then return false, p2, why end
      elseif s.additionalProperties == false then
        return false, path .. "." .. k, "not allowed (additionalProperties)"
      elseif type(s.additionalProperties) == "table" then
        local ok, p2, why = check(s.additionalProperties, v[k],
                                  path .. "." .. k)
        if not ok then return false, p2, why end
      end
    end
  end
  if got == "array" then
    local n = #v
    if s.minItems and n < s.minItems then
      return false, path, "fewer than " .. s.minItems .. " items"
    end
    if s.maxItems and n > s.maxItems then
      return false, path, "more than " .. s.maxItems .. " items"
    end
    if s.items then
      for i = 1, n do
        local ok, p2, why = check(s.items, v[i],
                                  path .. "[" .. (i - 1) .. "]")
        if not ok then return false, p2, why end
      end
    end
  end
  return true
end
validate = check

-- A path for the detail (capped at 1 MiB): at most MAX_PATH characters,
-- cut ones marked with "…" (keys of any length are valid JSON).
local MAX_PATH = 1000
local function shown(path)
  local cut = utf8.offset(path, MAX_PATH + 1)
  if cut then return path:sub(1, cut - 1) .. "…" end
  return path
end

local schemas = setmetatable({}, { __mode = "k" })

local function schema_of(p)
  local s = schemas[p]
  if s then return s end
  if p.schema_file then
    local err
    s, err = ys.json.decode(p.schema_file)
    if s == nil then error("schema_file is not JSON: " .. err, 0) end
  else
    s = p.schema
  end
  if type(s) ~= "table" then
    error("give schema = { ... } or schema_file = \"schema.json\"", 0)
  end
  schemas[p] = s
  return s
end

return {
  name = "json_schema",
  description = "1 when the output is JSON satisfying a schema (a practical "
    .. "subset of JSON Schema); the detail gives the failing path",
  kind = "binary",
  params = {
    schema = { type = "table", doc = "the schema, as a Lua table" },
    schema_file = { type = "file", doc = "the schema, as a JSON file" },
    extract = { type = "boolean", default = false,
                doc = "look for JSON inside chatty output" },
  },
  keys = function(p)
    schema_of(p)
    return nil
  end,
  score = function(p, sample, output, ctx)
    local v, err = output, nil
    if type(output) == "string" then
      if p.extract then v, err = ys.json.extract(output)
      else v, err = ys.json.decode(output) end
      if v == nil then return false, { path = "$", error = err } end
    end
    local ok, path, why = validate(schema_of(p), v, "$")
    if ok then return true end
    return false, { path = shown(path), error = why }
  end,
}
