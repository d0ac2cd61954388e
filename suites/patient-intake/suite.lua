-- Patient intake extraction: the second case study's record, filled from a
-- visit. Given the transcript of a doctor-patient visit (ACI-Bench), a
-- model writes the intake record as JSON: first and last name, age,
-- gender, chief complaint, secondary complaints. Scored for the record's
-- shape (json_schema), the fields it fills (field_completeness), the
-- fields it gets right against the gold record (field_accuracy), and a
-- judge's 1-5 grades of its history completeness, formatting and
-- relevance (llm_judge).
--
-- Offline (no key, no network) two participants take part:
--
--   rules   a rule-based extractor (plugins/intake_rules.lua): the honest
--           weak baseline a team starts from
--   gold    the gold record itself, replayed: the ceiling the data allow
--           (fields the transcript never states are empty in it)
--
-- and the judge is a rule-based stand-in (plugins/intake_judge.lua), not
-- a language model. More models join when their environment is set, and
-- only then; each one left out is named on standard error with the reason:
--
--   OPENAI_API_KEY   gpt-4 and gpt-3.5
--   YS_FT_BASE_URL   fine_tuned: the candidate behind any OpenAI-compatible
--                    server (YS_FT_MODEL, YS_FT_API_KEY, YS_FT_MONTHLY_USD
--                    as in the product-categorization suite)
--   YS_JUDGE_MODEL   the judge: that model through YS_JUDGE_BASE_URL (with
--                    YS_JUDGE_API_KEY) or the OpenAI API (OPENAI_API_KEY);
--                    check it first with the judge-agreement suite
--
-- With fine_tuned come the case study's promotion gates: a valid record
-- nearly always, and not worse than GPT-3.5 on field accuracy and on the
-- judged history completeness. See README.md.
local ys = require "yardstick"

local NAME = "patient-intake"
local FIELDS = { "first_name", "last_name", "age", "gender",
                 "chief_complaint", "secondary_complaints" }

-- {====== the models ======
local models = {
  rules = ys.intake_rules { text = "transcript" },
  gold = ys.replay { field = "gold" },
}
local remote = 0

if ys.env("OPENAI_API_KEY") then
  -- USD per million input and output tokens, the case study's prices.
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
  -- A fixed monthly cost: $300 is the case study's hosted fine-tune.
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

local judge
local judge_model = ys.env("YS_JUDGE_MODEL")
if judge_model then
  local base = ys.env("YS_JUDGE_BASE_URL")
  judge = ys.openai {
    model = judge_model, base_url = base,
    api_key_env = base and "YS_JUDGE_API_KEY" or "OPENAI_API_KEY",
    temperature = 0, max_tokens = 200,
  }
  remote = remote + 1
  ys.log(NAME .. ": judge is " .. judge_model
         .. (base and " at " .. base or ""))
else
  judge = ys.intake_judge { gold = "gold", transcript = "transcript" }
  ys.log(NAME .. ": skipping the LLM judge: YS_JUDGE_MODEL is not set "
         .. "(a rule-based stand-in grades instead)")
end
-- }======

-- {====== the gates ======
local gates = {
  -- The baseline always writes a record of the right shape, and never
  -- fails: a regression in either is a bug in the rules.
  { model = "rules", metric = "json_schema", min = 1 },
  { model = "rules", max_error_rate = 0 },
}
if models.fine_tuned then
  -- The case study's rule: the fine-tuned model matched GPT-3.5. Here:
  -- a valid record for at least 98% of visits, and not worse than GPT-3.5
  -- by more than 0.05 of field F1 nor by more than a quarter point of
  -- judged history completeness, at 95% confidence, paired on visits.
  if not models["gpt-3.5"] then
    error("fine_tuned's promotion gates compare it with gpt-3.5, which is "
          .. "skipped (OPENAI_API_KEY is not set): set the key, or remove "
          .. "those gates from the suite to evaluate the candidate alone")
  end
  gates[#gates + 1] = { model = "fine_tuned", metric = "json_schema",
                        min = 0.98 }
  gates[#gates + 1] = { model = "fine_tuned", metric = "field_accuracy.f1",
                        not_worse_than = "gpt-3.5", margin = 0.05 }
  gates[#gates + 1] = { model = "fine_tuned",
                        metric = "llm_judge.history_completeness",
                        not_worse_than = "gpt-3.5", margin = 0.25 }
end
-- }======

return ys.suite {
  name = NAME,
  description = "fill a patient intake record from an ACI-Bench visit "
             .. "transcript",
  dataset = ys.jsonl "data/eval.jsonl",
  prompt = {
    system = "You fill in a patient intake record from the transcript of a "
          .. "doctor-patient visit. Answer with one JSON object and nothing "
          .. "else, with exactly these keys: first_name, last_name, age (a "
          .. "whole number of years), gender (\"female\" or \"male\"), "
          .. "chief_complaint (the main reason for the visit, a short "
          .. "phrase), secondary_complaints (a list of short phrases: the "
          .. "patient's other problems and conditions discussed). Use null "
          .. "for a name, age or gender the transcript does not state, and "
          .. "[] when there are no secondary complaints.",
    user = "Transcript:\n{{transcript}}",
  },
  models = models,
  helpers = { judge = judge },
  metrics = {
    ys.metric "json_schema" { schema_file = "data/record.schema.json",
                              extract = true },
    ys.metric "field_completeness" { fields = FIELDS },
    ys.metric "field_accuracy" {
      expected = "gold",
      fields = { first_name = "normalized", last_name = "normalized",
                 age = "numeric", gender = "normalized",
                 chief_complaint = "normalized",
                 secondary_complaints = "set" },
    },
    ys.metric "llm_judge" {
      judge = "judge",
      properties = {
        history_completeness = "the record's chief and secondary "
          .. "complaints cover the problems the patient came with and the "
          .. "conditions discussed, as the gold record has them",
        formatting = "the record is one JSON object with exactly the keys "
          .. "first_name, last_name, age, gender, chief_complaint, "
          .. "secondary_complaints, with the right types and nothing else",
        relevance = "every complaint in the record is one the transcript "
          .. "supports: nothing invented, nothing off the subject",
      },
      reference = "gold",
      include_prompt = false,   -- the template shows the transcript
      temperature = 0,
      template = "You are grading a patient intake record that a model "
        .. "filled in from the transcript of a doctor-patient visit.\n\n"
        .. "Property: {{property}}\n{{description}}\n\n"
        .. "Scale:\n{{rubric}}\n\n"
        .. "Transcript:\n<<<\n{{sample.transcript}}\n>>>\n\n"
        .. "The record a careful reader filled in (null: the transcript "
        .. "does not say):\n<<<\n{{reference}}\n>>>\n\n"
        .. "Record to grade:\n<<<\n{{output}}\n>>>\n\n"
        .. "Answer with one JSON object and nothing else:\n"
        .. '{"score": <an integer from {{min}} to {{max}}>, '
        .. '"rationale": "<one sentence>"}',
    },
  },
  gates = gates,
  -- A hosted model or judge may lose a request to a timeout; local ones
  -- never do.
  max_error_rate = remote > 0 and 0.02 or 0,
}
