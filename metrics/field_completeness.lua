-- SPDX-License-Identifier: MIT
-- field_completeness: for extraction tasks (an intake form, say). The
-- output is a JSON object; each required field counts when it is present
-- and not empty. Scores: `share` (the fraction present) and one score per
-- field (1 present, 0 missing), whose mean over the run says which fields
-- a model tends to forget.
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

local function object_of(p, output)
  if type(output) == "table" then return output end
  if type(output) ~= "string" then return nil, "the output is not text" end
  local v, err
  if p.extract then v, err = ys.json.extract(output)
  else v, err = ys.json.decode(output) end
  if type(v) ~= "table" or getmetatable(v) ~= nil then
    return nil, err or "the output is not a JSON object"
  end
  return v
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
    local obj, err = object_of(p, output)
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
