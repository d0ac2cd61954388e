-- SPDX-License-Identifier: MIT
-- field_accuracy: per-field comparison of an extracted JSON object with
-- the gold values. Each field is compared exactly, normalised (case,
-- blanks, punctuation), as a number within a tolerance, or as a set (for
-- lists such as secondary complaints: the F1 of the two sets). Scores:
-- precision (right fields / fields the output filled), recall (right
-- fields / fields the gold has), f1, and one accuracy per field. Output
-- that holds no JSON object (a list, a number, text without one) scores as
-- an empty object, with the reason in the detail.
local ys = require "yardstick"

local MODES = { exact = true, normalized = true, numeric = true, set = true }

local function key_of(field)
  return (field:gsub("[^%w_]", "_"))
end

local function lookup(obj, path)
  if type(obj) ~= "table" then return nil end
  local v = obj[path]
  if v ~= nil then return v end
  v = obj
  for part in path:gmatch("[^.]+") do
    if type(v) ~= "table" then return nil end
    v = v[part]
  end
  return v
end

local function empty(v)
  if v == nil or v == ys.json.null then return true end
  if type(v) == "string" then return not v:match("%S") end
  if type(v) == "table" then return next(v) == nil end
  return false
end

local function text(v)
  if type(v) == "string" then return v end
  if type(v) == "number" or type(v) == "boolean" then return tostring(v) end
  return ys.json.encode(v)
end

-- Calls a ys helper; its error is raised without this file's position.
local function call(f, ...)
  local r = table.pack(pcall(f, ...))
  if not r[1] then error(r[2], 0) end
  return table.unpack(r, 2, r.n)
end

local function norm(v)
  return call(ys.normalize, text(v), { punctuation = true })
end

-- Items of a list (or a comma/semicolon separated string), normalised.
local function items(v)
  local out = {}
  if type(v) == "table" then
    for _, x in ipairs(v) do
      local n = norm(x)
      if n ~= "" then out[n] = true end
    end
  else
    for part in text(v):gmatch("[^,;]+") do
      local n = norm(part)
      if n ~= "" then out[n] = true end
    end
  end
  return out
end

-- How well got matches want for one field, from 0 to 1.
local function compare(spec, got, want)
  if spec.mode == "exact" then
    return text(got) == text(want) and 1 or 0
  elseif spec.mode == "normalized" then
    return norm(got) == norm(want) and 1 or 0
  elseif spec.mode == "numeric" then
    local a, b = tonumber(text(got)), tonumber(text(want))
    if not a or not b then return 0 end
    return math.abs(a - b) <= (spec.tolerance or 0) and 1 or 0
  else
    local a, b = items(got), items(want)
    local na, nb, both = 0, 0, 0
    for k in pairs(a) do na = na + 1; if b[k] then both = both + 1 end end
    for _ in pairs(b) do nb = nb + 1 end
    if na == 0 and nb == 0 then return 1 end
    if both == 0 then return 0 end
    local prec, rec = both / na, both / nb
    return 2 * prec * rec / (prec + rec)
  end
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

-- fields = { "age", "name" } or { age = "numeric", tags = { mode = "set" } }
local specs_of = setmetatable({}, { __mode = "k" })

local function specs(p)
  local s = specs_of[p]
  if s then return s end
  s = {}
  if #p.fields > 0 then
    for i, f in ipairs(p.fields) do
      if type(f) ~= "string" or f == "" then
        error("fields[" .. i .. "] must be a field name", 0)
      end
      s[#s + 1] = { name = f, mode = p.mode }
    end
  else
    for f, spec in pairs(p.fields) do
      local e = type(spec) == "table" and spec or { mode = spec }
      e.name = f
      e.mode = e.mode or p.mode
      s[#s + 1] = e
    end
    table.sort(s, function(a, b) return a.name < b.name end)
  end
  for _, e in ipairs(s) do
    if not MODES[e.mode] then
      error("field '" .. e.name .. "': mode must be exact, normalized, "
            .. "numeric or set, not '" .. tostring(e.mode) .. "'", 0)
    end
  end
  if #s == 0 then error("fields must name at least one field", 0) end
  specs_of[p] = s
  return s
end

return {
  name = "field_accuracy",
  description = "per-field comparison of the output's JSON object with the "
    .. "gold object: precision, recall and F1 over fields, and accuracy "
    .. "per field (exact, normalized, numeric with tolerance, or set F1)",
  params = {
    fields = { type = "table", required = true,
               doc = "field names, or name = mode / { mode =, tolerance = }" },
    expected = { type = "string", default = "expected",
                 doc = "sample field holding the gold object (or JSON text)" },
    mode = { type = "string", default = "normalized",
             doc = "the comparison for fields that do not give one" },
    extract = { type = "boolean", default = true,
                doc = "look for the JSON object inside chatty output" },
  },
  keys = function(p)
    if not MODES[p.mode] then
      error("mode must be exact, normalized, numeric or set", 0)
    end
    local k = { "precision", "recall", "f1" }
    for _, e in ipairs(specs(p)) do
      local key = key_of(e.name)
      if key == "precision" or key == "recall" or key == "f1" then
        error("field '" .. e.name .. "' clashes with a score name", 0)
      end
      k[#k + 1] = key
    end
    return k
  end,
  score = function(p, sample, output, ctx)
    local gold = sample[p.expected]
    if type(gold) == "string" then gold = ys.json.decode(gold) end
    if not is_object(gold) then
      error("sample '" .. ctx.id .. "': '" .. p.expected
            .. "' is not a gold object", 0)
    end
    local obj, why = object_of(output, p.extract)
    if not obj then obj = {} end
    local r = {}
    local filled, golds, right = 0, 0, 0
    for _, e in ipairs(specs(p)) do
      local got, want = lookup(obj, e.name), lookup(gold, e.name)
      local score
      if empty(want) then
        score = empty(got) and 1 or 0
      elseif empty(got) then
        score = 0
      else
        score = compare(e, got, want)
      end
      if not empty(got) then filled = filled + 1 end
      if not empty(want) then golds = golds + 1 end
      if not empty(got) and not empty(want) then right = right + score end
      r[key_of(e.name)] = score
    end
    r.precision = filled > 0 and right / filled or (golds == 0 and 1 or 0)
    r.recall = golds > 0 and right / golds or 1
    r.f1 = (r.precision + r.recall) > 0
      and 2 * r.precision * r.recall / (r.precision + r.recall) or 0
    if why then return r, { error = why } end
    return r
  end,
}
