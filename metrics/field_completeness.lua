-- SPDX-License-Identifier: MIT
-- field_completeness: for extraction tasks (an intake form, say). The
-- output is a JSON object; each required field counts when it is present
-- and not empty. Scores: `share` (the fraction present) and one score per
-- field (1 present, 0 missing), whose mean over the run says which fields
-- a model tends to forget. Output that holds no JSON object (a list, a
-- number, text without one) scores 0 for every field, with the reason in
-- the detail.
local ys = require "yardstick"

local function key_of(field)
  return (field:gsub("[^%w_]", "_"))
end

local function lookup(obj, path)
  local v = obj[path]
  if v ~= nil then return v end
  v = obj
  for part in path:gmatch("[^.]+") do
    if type(v) ~= "table" then return nil end
    v = v[part]
  end
  return v
end

local function present(v)
  if v == nil or v == ys.json.null then return false end
  if type(v) == "string" then return v:match("%S") ~= nil end
  if type(v) == "table" then return next(v) ~= nil end
  return true
end

local function is_object(v)
  return type(v) == "table" and getmetatable(v) == nil
end

local function kind(v)
  if v == ys.json.null then return "null" end
  local t = type(v)
  if t == "table" then return getmetatable(v) and "an array" or "an object" end
  if t == "string" then return "a string" end
  if t == "number" then return "a number" end
  if t == "boolean" then return "a boolean" end
  return t
end

-- The output as a JSON object (a table from evaluate, or text that is
-- one; with extract, text holding one, found as ys.json.extract finds an
-- object), or nil and why not.
local function object_of(output, extract)
  if type(output) == "string" then
    if extract then return ys.json.extract(output, "object") end
    local v, err = ys.json.decode(output)
    if v == nil then return nil, err end
    output = v
  end
  if is_object(output) then return output end
  return nil, "expected a JSON object, got " .. kind(output)
end

return {
  name = "field_completeness",
  description = "share of the required fields present and non-empty in the "
    .. "output's JSON object, and per field 1/0 (their means say which "
    .. "fields get forgotten)",
  params = {
    fields = { type = "table", required = true,
               doc = "the required fields (dotted paths allowed)" },
    extract = { type = "boolean", default = true,
                doc = "look for the JSON object inside chatty output" },
  },
  keys = function(p)
    if #p.fields == 0 then error("fields must list at least one field", 0) end
    local k, seen = { "share" }, {}
    for i, f in ipairs(p.fields) do
      if type(f) ~= "string" or f == "" then
        error("fields[" .. i .. "] must be a field name", 0)
      end
      local key = key_of(f)
      if key == "share" or seen[key] then
        error("field '" .. f .. "' clashes with another score name", 0)
      end
      seen[key] = true
      k[#k + 1] = key
    end
    return k
  end,
  score = function(p, sample, output, ctx)
    local obj, err = object_of(output, p.extract)
    local r, n = {}, 0
    for _, f in ipairs(p.fields) do
      local ok = obj ~= nil and present(lookup(obj, f))
      r[key_of(f)] = ok and 1 or 0
      if ok then n = n + 1 end
    end
    r.share = n / #p.fields
    if not obj then return r, { error = err } end
    return r
  end,
}
