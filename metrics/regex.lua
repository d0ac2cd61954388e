-- SPDX-License-Identifier: MIT
-- regex: 1 when the output matches a PCRE2 pattern (or, with negate, does
-- not). With `group`, the capture group is extracted and compared with a
-- sample field instead (after trimming; ignore_case folds case). Output the
-- matcher cannot read (not UTF-8) or a pattern that runs into PCRE2's match
-- limit is an error, never a silent "no match".
local ys = require "yardstick"

local function text(v)
  if type(v) == "string" then return v end
  return ys.json.encode(v)
end

-- Calls a ys helper; its error is raised without this file's position.
local function call(f, ...)
  local r = table.pack(pcall(f, ...))
  if not r[1] then error(r[2], 0) end
  return table.unpack(r, 2, r.n)
end

-- Leading and trailing blanks removed, in linear time (a "^%s*(.-)%s*$"
-- is quadratic on long blank runs).
local function trim(s)
  local i = s:find("%S")
  if not i then return "" end
  return s:sub(i, s:match("^.*()%S"))
end

-- How many capture groups the pattern has, or nil when that cannot be
-- told: wrapped in a group repeated zero times, the pattern never matches,
-- and a last empty group, numbered after all of its groups, always does.
local function group_count(p)
  local r = table.pack(pcall(ys.re.match, "",
                             "(?:" .. p.pattern .. "\n){0}()", 1, p.flags))
  if not r[1] or r[2] == nil then return nil end
  return r.n - 2
end

-- The captured text for the detail: at most MAX_SHOWN characters (the
-- detail is capped at 1 MiB), cut ones marked with "…".
local MAX_SHOWN = 1000
local function shown(s)
  local cut = utf8.offset(s, MAX_SHOWN + 1)
  if cut then return s:sub(1, cut - 1) .. "…" end
  return s
end

local function plural(n)
  if n == 0 then return "no capture groups" end
  return n .. " capture group" .. (n == 1 and "" or "s")
end

return {
  name = "regex",
  description = "1 when the output matches a PCRE2 pattern, or when the "
    .. "text captured by `group` equals the reference field",
  kind = "binary",
  params = {
    pattern = { type = "string", required = true,
                doc = "the PCRE2 pattern (Unicode aware)" },
    flags = { type = "string", default = "",
              doc = "i: ignore case, m: multiline, s: dot matches newlines, "
                .. "x: extended" },
    group = { type = "integer",
              doc = "capture group to extract and compare with `expected`" },
    expected = { type = "string", default = "expected",
                 doc = "sample field compared with the captured text" },
    ignore_case = { type = "boolean", default = false,
                    doc = "compare the captured text case-insensitively" },
    negate = { type = "boolean", default = false,
               doc = "score 1 when the output does not match (not with "
                 .. "group)" },
  },
  keys = function(p)
    -- Compile now: a bad pattern is an error at load, not per sample.
    call(ys.re.compile, p.pattern, p.flags)
    if p.group then
      if p.group < 1 then error("group must be 1 or more", 0) end
      if p.negate then
        error("negate cannot be used with group (it inverts a match; with "
              .. "group the captured text is compared)", 0)
      end
      local n = group_count(p)
      if n and p.group > n then
        error("group " .. p.group .. " is not in the pattern (it has "
              .. plural(n) .. ")", 0)
      end
    end
    return nil
  end,
  score = function(p, sample, output, ctx)
    local s = text(output)
    if not p.group then
      local i, err = ys.re.find(s, p.pattern, 1, p.flags)
      if i == nil and err ~= nil then
        error("cannot match the output: " .. err, 0)
      end
      return (i ~= nil) ~= p.negate
    end
    local want = sample[p.expected]
    if want == nil or want == ys.json.null then
      error("sample '" .. ctx.id .. "' has no field '" .. p.expected .. "'",
            0)
    end
    local caps = table.pack(ys.re.match(s, p.pattern, 1, p.flags))
    if caps[1] == nil and caps[2] ~= nil then
      error("cannot match the output: " .. tostring(caps[2]), 0)
    end
    local got = caps[1] ~= nil and caps[p.group] or nil
    if type(got) ~= "string" then
      return false, { extracted = ys.json.null }
    end
    local a, b = trim(got), trim(text(want))
    if p.ignore_case then
      a, b = call(ys.casefold, a), call(ys.casefold, b)
    end
    return a == b, { extracted = shown(got) }
  end,
}
