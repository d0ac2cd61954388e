-- SPDX-License-Identifier: MIT
-- regex: 1 when the output matches a PCRE2 pattern (or, with negate, does
-- not). With `group`, the capture group is extracted and compared with a
-- sample field instead (after trimming; ignore_case folds case).
local ys = require "yardstick"

local function text(v)
  if type(v) == "string" then return v end
  return ys.json.encode(v)
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
               doc = "score 1 when the output does not match" },
  },
  keys = function(p)
    -- Compile now: a bad pattern is an error at load, not per sample.
    ys.re.compile(p.pattern, p.flags)
    if p.group and p.group < 1 then error("group must be 1 or more", 0) end
    return nil
  end,
  score = function(p, sample, output, ctx)
    local s = text(output)
    if not p.group then
      local hit = ys.re.find(s, p.pattern, 1, p.flags) ~= nil
      return hit ~= p.negate
    end
    local caps = { ys.re.match(s, p.pattern, 1, p.flags) }
    local got = caps[p.group]
    local want = sample[p.expected]
    if want == nil or want == ys.json.null then
      error("sample '" .. ctx.id .. "' has no field '" .. p.expected .. "'",
            0)
    end
    if type(got) ~= "string" then
      return false, { extracted = ys.json.null }
    end
    local a, b = got:match("^%s*(.-)%s*$"), text(want):match("^%s*(.-)%s*$")
    if p.ignore_case then a, b = ys.casefold(a), ys.casefold(b) end
    return a == b, { extracted = got }
  end,
}
