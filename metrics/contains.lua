-- SPDX-License-Identifier: MIT
-- contains: 1 when the output contains the reference (a sample field, or
-- fixed values), else 0. A list of references passes when any (or, with
-- all = true, every) one is found. A reference is a text (numbers and
-- booleans stand for their text); an empty one, or a JSON object, is an
-- error rather than a pass or a fail.
local ys = require "yardstick"

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

local function is_list(v)
  return type(v) == "table" and getmetatable(v) ~= nil
end

-- The texts to look for in want (a text or a list of texts), or nil and
-- what is wrong with it. what names it in messages and item(i) its items;
-- a Lua table {} from a suite (values = {}) is an empty list.
local function needles(want, what, item)
  if type(want) == "table" and not is_list(want)
     and (next(want) ~= nil or what ~= "values") then
    return nil, what .. " is a JSON object, which contains does not "
      .. "support (give a text or a list of texts)"
  end
  local list = type(want) == "table" and want or { want }
  if #list == 0 then
    return nil, "nothing to look for (" .. what .. " is an empty list)"
  end
  local r = {}
  for i, w in ipairs(list) do
    local at = list == want and item(i) or what
    if type(w) == "table" or w == ys.json.null then
      return nil, at .. " must be a text, got "
        .. (w == ys.json.null and "null" or is_list(w) and "a list"
            or "an object")
    end
    local t = text(w)
    if t == "" then return nil, at .. " is empty" end
    r[i] = t
  end
  return r
end

local function value_item(i) return "values[" .. i .. "]" end
local function ref_item(i) return "item " .. i .. " of the reference" end

return {
  name = "contains",
  description = "1 when the output contains the reference text (any of a "
    .. "list, or all of it with all = true); else 0",
  kind = "binary",
  params = {
    expected = { type = "string", default = "expected",
                 doc = "sample field holding the text (or list of texts) "
                   .. "to find; ignored when values is given" },
    values = { type = "table",
               doc = "fixed texts to find instead of a sample field" },
    all = { type = "boolean", default = false,
            doc = "require every text, not just one" },
    ignore_case = { type = "boolean", default = false,
                    doc = "compare case-insensitively (Unicode)" },
  },
  keys = function(p)
    if p.values ~= nil then
      local _, why = needles(p.values, "values", value_item)
      if why then error(why, 0) end
    end
    return nil
  end,
  score = function(p, sample, output, ctx)
    local want, why
    if p.values ~= nil then
      want = needles(p.values, "values", value_item)
    else
      local v = sample[p.expected]
      if v == nil or v == ys.json.null then
        error("sample '" .. ctx.id .. "' has no field '" .. p.expected
              .. "'", 0)
      end
      want, why = needles(v, "the reference", ref_item)
      if not want then
        error("sample '" .. ctx.id .. "': " .. why .. " (field '"
              .. p.expected .. "')", 0)
      end
    end
    local hay = text(output)
    if p.ignore_case then hay = call(ys.casefold, hay) end
    local found = 0
    for _, needle in ipairs(want) do
      if p.ignore_case then needle = call(ys.casefold, needle) end
      if hay:find(needle, 1, true) then found = found + 1 end
    end
    if p.all then return found == #want end
    return found > 0
  end,
}
