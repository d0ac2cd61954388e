-- Judge agreement: before gating a promotion on an LLM judge's grades,
-- check that the judge agrees with people. MTS-Dialog's clinicians scored
-- 400 machine-written note sections (four systems, 100 doctor-patient
-- dialogues) for the facts they got right against the clinician's own
-- note; the model under evaluation here is a judge, its output its grade
-- of a section from 1 to 5, and the agreement metric compares those
-- grades with the humans': exact and within-one agreement, Pearson's and
-- Spearman's correlation and Cohen's quadratic-weighted kappa.
--
-- Offline, three stand-in judges written in Lua take part:
--
--   judge      grades by word overlap with the clinician's section (the
--              judge to trust, until YS_JUDGE_MODEL names a real one)
--   length     grades by length alone: how much of the clinician's
--              section's length the candidate has
--   always_4   answers 4 whatever it reads
--
-- With YS_JUDGE_MODEL set, `judge` is that model, asked the question
-- below through an OpenAI-compatible API: YS_JUDGE_BASE_URL (default the
-- OpenAI API) with the key in YS_JUDGE_API_KEY, or in OPENAI_API_KEY for
-- the OpenAI API. The same variables choose the judge of the
-- patient-intake suite, so this suite checks the judge that one relies on.
--
-- The gates ask `judge` for substantial agreement: a weighted kappa and a
-- Spearman correlation of at least 0.6. See README.md.
local ys = require "yardstick"

local NAME = "judge-agreement"

-- {====== the stand-in judges ======
-- Words that carry no fact; the rest are compared as a bag.
local STOP = {}
for w in ([[a an and are as at be been but by did do does for from had
  has have he her his i in is it its no not of on or she so than that the
  their them then there they this to was were which who with you your
  patient]]):gmatch("%S+") do
  STOP[w] = true
end

local function content_words(text)
  local bag, n = {}, 0
  for _, w in ipairs(ys.words(ys.casefold(text))) do
    if not STOP[w] then
      bag[w] = (bag[w] or 0) + 1
      n = n + 1
    end
  end
  return bag, n
end

local function count_words(text)
  return #ys.words(text)
end

-- A share from 0 to 1 on the 1-5 scale, as the humans' F1 was put on it.
local function grade(share)
  return 1 + math.floor(4 * share + 0.5)
end

-- Replies look like an LLM judge's, so the metric reads them the same way.
local function reply(score, why)
  return string.format('{"score": %d, "rationale": "%s"}', score, why)
end

local function overlap_judge(self, request)
  local s = request.sample
  local got, ng = content_words(s.summary)
  local want, nw = content_words(s.reference)
  local both = 0
  for w, c in pairs(got) do both = both + math.min(c, want[w] or 0) end
  local f1 = 0
  if both > 0 then
    local p, r = both / ng, both / nw
    f1 = 2 * p * r / (p + r)
  end
  return reply(grade(f1), string.format(
    "%d of %d reference content words, F1 %.2f", both, nw, f1))
end

local function length_judge(self, request)
  local s = request.sample
  local got, want = count_words(s.summary), count_words(s.reference)
  local share = want > 0 and math.min(1, got / want) or 1
  return reply(grade(share), string.format("%d words against %d", got, want))
end
-- }======

-- {====== the judge to trust ======
local QUESTION = {
  system = "You grade sections of clinical notes written by a system from a "
        .. "doctor-patient conversation, against the same section written "
        .. "by the clinician.",
  user = "Section: {{section}}\n\n"
      .. "Clinician's section:\n<<<\n{{reference}}\n>>>\n\n"
      .. "System's section:\n<<<\n{{summary}}\n>>>\n\n"
      .. "How many of the clinician's facts does the system's section "
      .. "state correctly, without adding facts the clinician's section "
      .. "does not have? 5: all of them and nothing invented; 4: most; "
      .. "3: about half; 2: a few; 1: none, or mostly invented.\n"
      .. "Answer with one JSON object and nothing else: "
      .. '{"score": <1-5>, "rationale": "<one sentence>"}',
}

local judge
local judge_model = ys.env("YS_JUDGE_MODEL")
if judge_model then
  local base = ys.env("YS_JUDGE_BASE_URL")
  judge = ys.openai {
    model = judge_model, base_url = base,
    api_key_env = base and "YS_JUDGE_API_KEY" or "OPENAI_API_KEY",
    temperature = 0, max_tokens = 200,
  }
  ys.log(NAME .. ": judge is " .. judge_model
         .. (base and " at " .. base or ""))
else
  judge = ys.model { chat = overlap_judge, kind = "word-overlap" }
  ys.log(NAME .. ": skipping the LLM judge: YS_JUDGE_MODEL is not set "
         .. "(the word-overlap stand-in is 'judge')")
end
-- }======

return ys.suite {
  name = NAME,
  description = "agreement of a judge's 1-5 grades with clinicians' "
             .. "factual scores of 400 MTS-Dialog note sections",
  dataset = ys.jsonl "data/eval.jsonl",
  prompt = QUESTION,
  models = {
    judge = judge,
    length = ys.model { chat = length_judge, kind = "length" },
    always_4 = ys.model {
      chat = function() return reply(4, "always 4") end,
      kind = "constant",
    },
  },
  metrics = {
    -- human_rating is the clinicians' factual F1 put on the same scale:
    -- 1 + floor(4 x F1 + 0.5) (data/README.md).
    ys.metric "agreement" { human = "human_rating" },
  },
  gates = {
    -- Trust the judge only with substantial agreement: chance-corrected
    -- (kappa), and in the order it puts the sections (Spearman). A rate
    -- of agreement alone is not enough: always_4 is within one point of
    -- the humans on most sections and knows nothing.
    { model = "judge", metric = "agreement.kappa", min = 0.6 },
    { model = "judge", metric = "agreement.spearman", min = 0.6 },
  },
  -- A hosted judge may lose a request to a timeout, or answer without a
  -- grade once in a while; the stand-ins never do.
  max_error_rate = judge_model and 0.01 or 0,
}
