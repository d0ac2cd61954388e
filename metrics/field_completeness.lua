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

-- The JSON value starting at byte i of s and the byte after it, or nil.
local function value_at(s, i)
  local sub = s:sub(i)
  local v, err = ys.json.decode(sub)
  if v ~= nil then return v, #s + 1 end
  local n = tonumber(err:match("^invalid JSON at offset (%d+): text after "
                               .. "the value$"))
  if not n then return nil end
  return ys.json.decode(sub:sub(1, n)), i + n
end

local MAX_TRIES = 64 -- as ys.json.extract: each try may read to the end

-- The JSON object in the text s, or nil and why there is none. Without
-- extract, s must be one. With it, as ys.json.extract does for any value
-- but looking for an object: the whole text, else the first ``` block
-- holding one, else the first {...} that is one, skipping other values
-- whole (an object inside a list is not the object).
local function find_object(s, extract)
  local v, err = ys.json.decode(s)
  if v ~= nil then
    if is_object(v) then return v end
    return nil, "expected a JSON object, got " .. kind(v)
  end
  if not extract then return nil, err end
  local other -- the first value that is not an object
  local at = 1
  while true do
    local open = s:find("```", at, true)
    if not open then break end
    local body = s:find("\n", open + 3, true)
    if not body then break end
    local close = s:find("```", body + 1, true)
    if not close then break end
    v = ys.json.decode(s:sub(body + 1, close - 1))
    if is_object(v) then return v end
    if other == nil then other = v end
    at = close + 3
  end
  at = 1
  for _ = 1, MAX_TRIES do
    local i = s:find("[{%[]", at)
    if not i then break end
    local after
    v, after = value_at(s, i)
    if is_object(v) then return v end
    if v ~= nil then
      if other == nil then other = v end
      at = after
    else
      at = i + 1
    end
  end
  if other ~= nil then
    return nil, "expected a JSON object, got " .. kind(other)
  end
  return nil, "no JSON value found in the text"
end

-- The output as a JSON object (a table from evaluate, or text holding
-- one), or nil and why not.
local function object_of(output, extract)
  if type(output) == "string" then return find_object(output, extract) end
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
