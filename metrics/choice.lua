-- SPDX-License-Identifier: MIT
-- choice: for classification answers that ramble. Finds which of the
-- allowed options the output mentions first (the longest one when several
-- start at the same place) and scores 1 when it is the reference. An
-- option is mentioned only as a whole token: no letter, digit or mark
-- (Unicode) may touch it on either side, so "The answer is B" chooses B,
-- not A, and "Not sure, but yes" chooses yes, not no. Numbers (and
-- booleans) among the options and as the reference stand for their text.
local ys = require "yardstick"

-- Calls a ys helper; its error is raised without this file's position.
local function call(f, ...)
  local r = table.pack(pcall(f, ...))
  if not r[1] then error(r[2], 0) end
  return table.unpack(r, 2, r.n)
end

-- The text of an option or a reference, or nil for other values.
local function text(v)
  local t = type(v)
  if t == "string" then return v end
  if t == "number" or t == "boolean" then return tostring(v) end
  return nil
end

local function kind(v)
  if v == ys.json.null then return "null" end
  if type(v) == "table" then
    return getmetatable(v) ~= nil and "a list" or "an object"
  end
  return type(v)
end

-- The options worth looking for (not blank), or nil and what is wrong
-- with the list.
local function usable(opts)
  if type(opts) ~= "table"
     or (getmetatable(opts) == nil and next(opts) ~= nil) then
    return nil, " must be a list"
  end
  local r = {}
  for i, o in ipairs(opts) do
    local t = text(o)
    if t == nil then
      return nil, "[" .. i .. "] must be a string or a number, got "
        .. kind(o)
    end
    if not utf8.len(t) then
      return nil, "[" .. i .. "] is not valid UTF-8 text"
    end
    if t:find("%S") then r[#r + 1] = o end
  end
  return r
end

-- A literal for PCRE2: ASCII characters other than letters and digits get
-- a backslash (others are literal already).
local function literal(s)
  return (s:gsub("[^%w\128-\255]", "\\%0"))
end

-- No letter, digit or mark just before and after.
local BEFORE, AFTER = "(?<![\\p{L}\\p{N}\\p{M}])", "(?![\\p{L}\\p{N}\\p{M}])"

return {
  name = "choice",
  description = "1 when the first allowed option mentioned in the output "
    .. "(as a whole word) is the reference; options come from a list or a "
    .. "sample field",
  kind = "binary",
  params = {
    options = { type = "table",
                doc = "the allowed answers (a list of strings or numbers)" },
    options_field = { type = "string",
                      doc = "sample field holding the allowed answers, "
                        .. "instead of options" },
    expected = { type = "string", default = "expected",
                 doc = "sample field holding the right answer" },
    ignore_case = { type = "boolean", default = true,
                    doc = "match options case-insensitively" },
  },
  keys = function(p)
    if not p.options and not p.options_field then
      error("give options = { ... } or options_field = \"...\"", 0)
    end
    if p.options and p.options_field then
      error("give options or options_field, not both", 0)
    end
    if p.options then
      local opts, why = usable(p.options)
      if not opts then error("options" .. why, 0) end
      if #opts == 0 then error("options must list at least one option", 0) end
    end
    return nil
  end,
  score = function(p, sample, output, ctx)
    local list = p.options or sample[p.options_field]
    if type(list) ~= "table" then
      error("sample '" .. ctx.id .. "': no options to choose from", 0)
    end
    local opts, why = usable(list)
    if not opts then
      error("sample '" .. ctx.id .. "': '" .. p.options_field .. "'" .. why,
            0)
    end
    if #opts == 0 then
      error("sample '" .. ctx.id .. "': no options to choose from", 0)
    end
    local gold = sample[p.expected]
    if gold == nil or gold == ys.json.null then
      error("sample '" .. ctx.id .. "' has no field '" .. p.expected .. "'",
            0)
    end
    local want = text(gold)
    if want == nil then
      error("sample '" .. ctx.id .. "': '" .. p.expected .. "' must be a "
            .. "string or a number, got " .. kind(gold), 0)
    end
    local s = type(output) == "string" and output or ys.json.encode(output)
    if not utf8.len(s) then
      error("the output is not valid UTF-8 text", 0)
    end
    local fold = function(x) return x end
    if p.ignore_case then
      fold = function(x) return call(ys.casefold, x) end
    end
    local hay = fold(s)
    local best, at, blen
    for _, o in ipairs(opts) do
      local needle = fold(text(o))
      local i, err = ys.re.find(hay, BEFORE .. literal(needle) .. AFTER)
      if i == nil and err ~= nil then
        error("cannot search the output: " .. err, 0)
      end
      if i and (not at or i < at or (i == at and #needle > blen)) then
        best, at, blen = o, i, #needle
      end
    end
    if best == nil then return false, { chosen = ys.json.null } end
    return fold(text(best)) == fold(want), { chosen = best }
  end,
}
