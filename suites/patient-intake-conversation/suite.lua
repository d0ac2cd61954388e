-- Patient intake conversation: the second case study as it happens. An
-- intake chatbot (the model under test) interviews a patient for up to
-- MAX_QUESTIONS questions, then writes the intake record as JSON; a
-- patient simulator plays the patient from the facts in the sample. The
-- record is scored for completeness and accuracy against those facts,
-- and the questions asked are counted.
--
-- The conversation is the `evaluate` function below: plain sequential
-- Lua, one model call after another. Each (patient, bot) pair runs as its
-- own coroutine, and every model call yields to yardstick's event loop,
-- so with -j 16 sixteen conversations are in flight at once over one
-- connection pool, with no threads and no callbacks in the suite.
--
-- Offline (no key, no network) two rule-based bots take part, and a
-- rule-based simulator plays the patient (plugins/):
--
--   checklist       asks for every field in turn
--   open_question   asks only what brings the patient in, and whether
--                   anything else is going on
--
-- More bots join when their environment is set, and only then; each one
-- left out is named on standard error with the reason:
--
--   OPENAI_API_KEY   gpt-4 and gpt-3.5, as intake bots
--   YS_FT_BASE_URL   fine_tuned: the candidate behind any OpenAI-compatible
--                    server (YS_FT_MODEL, YS_FT_API_KEY, YS_FT_MONTHLY_USD)
--   YS_SIM_MODEL     the patient: that model through YS_SIM_BASE_URL (with
--                    YS_SIM_API_KEY) or the OpenAI API (OPENAI_API_KEY)
--
-- The patients are the 30 of the patient-intake suite (ACI-Bench), with
-- every fact their records hold. See README.md.
local ys = require "yardstick"

local NAME = "patient-intake-conversation"
local MAX_QUESTIONS = 8
local FIELDS = { "first_name", "last_name", "age", "gender",
                 "chief_complaint", "secondary_complaints" }

-- {====== what the two sides are told ======
local BOT_SYSTEM = "You are the intake assistant of a clinic. Interview the "
  .. "patient to fill in their intake record: first and last name, age, "
  .. "gender, the main reason for the visit, and any other problems or "
  .. "medical conditions. Ask one short question at a time. When you have "
  .. "everything, or the patient cannot tell you more, answer with the "
  .. "record and nothing else: one JSON object with exactly the keys "
  .. "first_name, last_name, age (a whole number), gender (\"female\" or "
  .. "\"male\"), chief_complaint (a short phrase), secondary_complaints (a "
  .. "list of short phrases); null for what the patient did not tell you."
local OPENING = "(A patient has sat down in front of you. Begin.)"
local WRAP_UP = "(The interview is over: the patient has gone in to see the "
  .. "doctor. Write the intake record now, as one JSON object and nothing "
  .. "else.)"

local function persona(f)
  local function v(x, none)
    if x == nil or x == ys.json.null then return none end
    return tostring(x)
  end
  local others = "none"
  if type(f.secondary_complaints) == "table" and #f.secondary_complaints > 0 then
    others = table.concat(f.secondary_complaints, "; ")
  end
  return "You are a patient at a clinic, being interviewed by the clinic's "
    .. "intake assistant before you see the doctor. Stay in your role. "
    .. "Answer only what you are asked, briefly and in plain words, as a "
    .. "patient would; do not list your facts unasked, and never write "
    .. "JSON. If you are asked something your facts do not cover, say you "
    .. "are not sure.\n\nYour facts:\n"
    .. "- first name: " .. v(f.first_name, "(you prefer not to say)") .. "\n"
    .. "- last name: " .. v(f.last_name, "(you prefer not to say)") .. "\n"
    .. "- age: " .. v(f.age, "(you prefer not to say)") .. "\n"
    .. "- gender: " .. v(f.gender, "(you prefer not to say)") .. "\n"
    .. "- why you came today: " .. v(f.chief_complaint, "(not sure)") .. "\n"
    .. "- other problems and conditions: " .. others
end
-- }======

-- {====== the models ======
local models = {
  checklist = ys.intake_bot { style = "checklist" },
  open_question = ys.intake_bot { style = "open" },
}
local remote = 0

if ys.env("OPENAI_API_KEY") then
  models["gpt-4"] = ys.openai { model = "gpt-4", temperature = 0,
                                max_tokens = 300,
                                price = { input = 30, output = 60 } }
  models["gpt-3.5"] = ys.openai { model = "gpt-3.5-turbo", temperature = 0,
                                  max_tokens = 300,
                                  price = { input = 0.5, output = 1.5 } }
  remote = remote + 2
  ys.log(NAME .. ": using gpt-4 and gpt-3.5 (OPENAI_API_KEY is set)")
else
  ys.log(NAME .. ": skipping gpt-4: OPENAI_API_KEY is not set")
  ys.log(NAME .. ": skipping gpt-3.5: OPENAI_API_KEY is not set")
end

local ft_url = ys.env("YS_FT_BASE_URL")
if ft_url then
  local monthly = tonumber(ys.env("YS_FT_MONTHLY_USD") or "300")
  if not monthly or monthly < 0 then
    error("YS_FT_MONTHLY_USD must be a number of USD, 0 or more")
  end
  models.fine_tuned = ys.openai {
    base_url = ft_url, model = ys.env("YS_FT_MODEL") or "fine-tuned",
    api_key_env = "YS_FT_API_KEY", temperature = 0, max_tokens = 300,
    hosting = { monthly_usd = monthly },
  }
  remote = remote + 1
  ys.log(NAME .. ": using fine_tuned at " .. ft_url)
else
  ys.log(NAME .. ": skipping fine_tuned and its promotion gates: "
         .. "YS_FT_BASE_URL is not set (the OpenAI-compatible server of "
         .. "the fine-tuned model)")
end

local patient
local sim_model = ys.env("YS_SIM_MODEL")
if sim_model then
  local base = ys.env("YS_SIM_BASE_URL")
  patient = ys.openai {
    model = sim_model, base_url = base,
    api_key_env = base and "YS_SIM_API_KEY" or "OPENAI_API_KEY",
    temperature = 0, max_tokens = 150,
  }
  remote = remote + 1
  ys.log(NAME .. ": the patient is " .. sim_model
         .. (base and " at " .. base or ""))
else
  patient = ys.patient_sim { facts = "patient" }
  ys.log(NAME .. ": skipping the LLM patient: YS_SIM_MODEL is not set "
         .. "(a rule-based stand-in plays the patient)")
end
-- }======

-- {====== the conversation ======
local function record_in(text)
  local rec = ys.json.extract(text)
  if type(rec) ~= "table" or getmetatable(rec) ~= nil then return nil end
  for _, k in ipairs(FIELDS) do
    if rec[k] ~= nil then return rec end
  end
  return nil
end

local function evaluate(sample, bot, ctx)
  local to_bot = { { role = "system", content = BOT_SYSTEM },
                   { role = "user", content = OPENING } }
  local to_patient = { { role = "system", content = persona(sample.patient) } }
  local log = {}
  local questions, rec, last = 0, nil, nil
  while questions < MAX_QUESTIONS do
    last = bot:chat(to_bot)
    to_bot[#to_bot + 1] = { role = "assistant", content = last }
    rec = record_in(last)
    if rec then break end                     -- the bot is done
    questions = questions + 1
    log[#log + 1] = "bot: " .. last
    -- The patient hears the bot as the other side of the conversation.
    to_patient[#to_patient + 1] = { role = "user", content = last }
    local answer = ctx.models.patient:chat(to_patient)
    to_patient[#to_patient + 1] = { role = "assistant", content = answer }
    to_bot[#to_bot + 1] = { role = "user", content = answer }
    log[#log + 1] = "patient: " .. answer
  end
  if not rec then
    -- Out of questions: the bot must write the record now.
    to_bot[#to_bot + 1] = { role = "user", content = WRAP_UP }
    last = bot:chat(to_bot)
    rec = record_in(last)
  end
  local out = { questions = questions, conversation = log }
  if rec then
    for _, k in ipairs(FIELDS) do out[k] = rec[k] end
  else
    out.no_record = last   -- scored as an empty record
  end
  return out
end
-- }======

-- {====== the gates ======
local gates = {
  -- The checklist bot collects more of the record than the open one, on
  -- the same patients (paired bootstrap) ...
  { model = "checklist", metric = "field_completeness.share",
    beats = "open_question" },
  -- ... and what it collects is right.
  { model = "checklist", metric = "field_accuracy.precision", min = 0.9 },
}
if models.fine_tuned then
  -- The case study's rule: the fine-tuned bot matched GPT-3.5, here on the
  -- share of the record it collects and on the F1 of its fields, within
  -- 0.05 at 95% confidence, paired on patients.
  if not models["gpt-3.5"] then
    error("fine_tuned's promotion gates compare it with gpt-3.5, which is "
          .. "skipped (OPENAI_API_KEY is not set): set the key, or remove "
          .. "those gates from the suite to evaluate the candidate alone")
  end
  gates[#gates + 1] = { model = "fine_tuned",
                        metric = "field_completeness.share",
                        not_worse_than = "gpt-3.5", margin = 0.05 }
  gates[#gates + 1] = { model = "fine_tuned", metric = "field_accuracy.f1",
                        not_worse_than = "gpt-3.5", margin = 0.05 }
end
-- }======

return ys.suite {
  name = NAME,
  description = "an intake bot interviews a simulated ACI-Bench patient "
             .. "and writes the intake record",
  dataset = ys.jsonl "../patient-intake/data/eval.jsonl",
  evaluate = evaluate,
  models = models,
  helpers = { patient = patient },
  metrics = {
    ys.metric "field_completeness" { fields = FIELDS },
    ys.metric "field_accuracy" {
      expected = "patient",
      fields = { first_name = "normalized", last_name = "normalized",
                 age = "numeric", gender = "normalized",
                 chief_complaint = "normalized",
                 secondary_complaints = "set" },
    },
    ys.metric "questions",
  },
  gates = gates,
  -- A hosted bot or patient may lose a request to a timeout; local ones
  -- never do.
  max_error_rate = remote > 0 and 0.02 or 0,
}
