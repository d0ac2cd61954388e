-- SPDX-License-Identifier: MIT
-- llm_judge: a judge model grades each output on properties described in
-- plain English, each on a 1-5 scale with a rubric. One call per property
-- (and per repeat); the judge answers {"score": n, "rationale": "..."}.
-- A reply without a valid score is an error, never a zero. With repeats
-- = K the judge is asked K times: the score is the mean and flip_rate how
-- often its verdicts differ. The judge's tokens and cost are counted
-- apart from the model under test (judge_usage).
local ys = require "yardstick"

local DEFAULT_RUBRIC = {
  ["1"] = "very poor: fails the property entirely",
  ["2"] = "poor: mostly fails it",
  ["3"] = "acceptable: partly meets it",
  ["4"] = "good: meets it with small flaws",
  ["5"] = "excellent: fully meets it",
}

local DEFAULT_TEMPLATE = [[You are grading the output of a model.

Property: {{property}}
{{description}}

Scale:
{{rubric}}
{{context}}
Output to grade:
<<<
{{output}}
>>>

Answer with one JSON object and nothing else:
{"score": <an integer from {{min}} to {{max}}>, "rationale": "<one sentence>"}]]

local function text(v)
  if type(v) == "string" then return v end
  if type(v) == "number" or type(v) == "boolean" then return tostring(v) end
  return ys.json.encode(v)
end

-- {{name}} and {{sample.field}} in the template.
local function fill(tpl, vars, sample)
  return (tpl:gsub("{{%s*([%w_.]+)%s*}}", function(name)
    if vars[name] ~= nil then return text(vars[name]) end
    local field = name:match("^sample%.(.+)$")
    if field and sample[field] ~= nil then return text(sample[field]) end
    error("the judge template uses {{" .. name .. "}}, which is not set", 0)
  end))
end

local function rubric_text(p)
  local r = p.rubric or DEFAULT_RUBRIC
  local lines = {}
  for s = p.min, p.max do
    local d = r[tostring(s)] or r[s] or DEFAULT_RUBRIC[tostring(s)] or ""
    lines[#lines + 1] = s .. ": " .. d
  end
  return table.concat(lines, "\n")
end

-- "score" and a whole number within three non-word characters after it
-- ("Score: 4", "score - 2/5"); not the 4 of "4.5" nor the 2 of "-2".
local PROSE_SCORE =
  ys.re.compile("\\bscore\\W{0,3}(?<![-.])(\\d+)(?!\\d|\\.\\d)", "i")

-- The score in a judge reply: the JSON object's "score", else "score: n",
-- else a reply that is just the number.
local function parse(p, reply)
  local obj = ys.json.extract(reply)
  local s, why
  if type(obj) == "table" then
    s = tonumber(obj.score)
    why = type(obj.rationale) == "string" and obj.rationale or nil
  end
  if not s then s = tonumber(PROSE_SCORE:match(reply) or "") end
  if not s then s = tonumber(reply:match("^%s*(%d+)%s*$") or "") end
  if not s or s ~= math.floor(s) or s < p.min or s > p.max then
    error(string.format("the judge's reply has no score from %d to %d: %s",
                        p.min, p.max, reply:sub(1, 120):gsub("%s+", " ")),
          0)
  end
  return s, why
end

local function property_names(p)
  local names = {}
  for name, desc in pairs(p.properties) do
    if type(name) ~= "string" or not name:match("^[%w_]+$") then
      error("property names must be words (letters, digits, _)", 0)
    end
    if type(desc) ~= "string" then
      error("property '" .. name .. "' needs a description", 0)
    end
    names[#names + 1] = name
  end
  table.sort(names)
  return names
end

return {
  name = "llm_judge",
  description = "a judge model scores each output 1-5 on properties "
    .. "described in plain English, with a rubric; the rationale is kept "
    .. "and the judge's cost counted apart",
  params = {
    judge = { type = "model", required = true,
              doc = "the model that judges (a helper, or any model)" },
    properties = { type = "table", required = true,
                   doc = "name = description of what a 5 means" },
    rubric = { type = "table",
               doc = "score = meaning, e.g. { [\"1\"] = \"...\" }" },
    template = { type = "string",
                 doc = "the judge prompt; {{property}}, {{description}}, "
                   .. "{{rubric}}, {{output}}, {{prompt}}, {{reference}}, "
                   .. "{{context}} (the prompt and reference, framed), "
                   .. "{{min}}, {{max}}, {{sample.FIELD}}" },
    reference = { type = "string",
                  doc = "sample field with a reference answer to show the "
                    .. "judge" },
    include_prompt = { type = "boolean", default = true,
                       doc = "show the judge the prompt the model got" },
    repeats = { type = "integer", default = 1,
                doc = "ask the judge this many times per property" },
    min = { type = "integer", default = 1, doc = "lowest score" },
    max = { type = "integer", default = 5, doc = "highest score" },
    temperature = { type = "number",
                    doc = "the judge's temperature (default: its own)" },
  },
  keys = function(p)
    if p.repeats < 1 or p.repeats > 20 then
      error("repeats must be from 1 to 20", 0)
    end
    if p.min >= p.max then error("min must be below max", 0) end
    local k = property_names(p)
    if #k == 0 then error("properties must name at least one", 0) end
    if p.repeats > 1 then
      if p.properties.flip_rate ~= nil then
        error("the property name 'flip_rate' is reserved: with repeats "
              .. "above 1 it is the score of how often the judge changes "
              .. "its mind (rename the property)", 0)
      end
      k[#k + 1] = "flip_rate"
    end
    return k
  end,
  score = function(p, sample, output, ctx)
    local scores, detail, flips, pairs_n = {}, {}, 0, 0
    local context = ""
    if p.include_prompt and ctx.prompt then
      context = "\nThe model was asked:\n<<<\n" .. ctx.prompt .. "\n>>>\n"
    end
    local ref
    if p.reference then
      ref = sample[p.reference]
      if ref == nil or ref == ys.json.null then
        error("sample '" .. ctx.id .. "' has no field '" .. p.reference
              .. "'", 0)
      end
      context = context .. "\nA reference answer:\n<<<\n" .. text(ref)
        .. "\n>>>\n"
    end
    local options = p.temperature and { temperature = p.temperature } or nil
    for _, name in ipairs(property_names(p)) do
      local vars = {
        property = name, description = p.properties[name],
        rubric = rubric_text(p), output = text(output),
        prompt = ctx.prompt or "", reference = ref and text(ref) or "",
        context = context, min = p.min, max = p.max,
      }
      local prompt = fill(p.template or DEFAULT_TEMPLATE, vars, sample)
      local got, sum = {}, 0
      local why
      for r = 1, p.repeats do
        local reply, err = ctx:chat(p.judge, prompt, options)
        if not reply then error("the judge failed: " .. tostring(err), 0) end
        local s, w = parse(p, reply)
        got[r] = s
        sum = sum + s
        why = why or w
        if r > 1 then
          pairs_n = pairs_n + 1
          if s ~= got[r - 1] then flips = flips + 1 end
        end
      end
      scores[name] = sum / p.repeats
      detail[name] = { scores = got, rationale = why or ys.json.null }
    end
    if p.repeats > 1 then
      scores.flip_rate = pairs_n > 0 and flips / pairs_n or 0
    end
    return scores, detail
  end,
}
