-- Product categorization against the Google Product Taxonomy: the same
-- Flipkart titles as suite.lua, labelled with Google's public category
-- tree (the tree of the published case study) cut to three levels, in
-- the data files' "google" field. The labels were mapped by hand from the
-- Flipkart categories and, for clothes, from the garment in the title:
-- see data/google/README.md.
--
-- Offline it compares the same two local models as suite.lua, now over
-- Google's 1,562 categories of levels 1-3. With OPENAI_API_KEY set, gpt-4
-- and gpt-3.5 join (they know Google's public tree: it is not sent); with
-- YS_FT_BASE_URL set, the fine-tuned candidate joins (YS_FT_MODEL names a
-- model fine-tuned on Google labels), and with it the promotion gates.
-- Each model left out is named on standard error. See README.md.
local ys = require "yardstick"

local NAME = "product-categorization-google"
local TAXONOMY = "data/google/taxonomy.txt"

-- Google's lines read "166 - Apparel & Accessories > Clothing": the
-- zero-shot model is given the paths without their ids.
local categories = {}
for _, line in ipairs(ys.read_lines(TAXONOMY)) do
  local path = line:match("^%d+ %- (.+)$")
  if path then categories[#categories + 1] = path end
end

-- {====== the models ======
local models = {
  zero_shot = ys.keyword_match { categories = categories, text = "title" },
  trained = ys.naive_bayes { train = "data/train.jsonl", text = "title",
                             label = "google" },
}
local remote = 0

if ys.env("OPENAI_API_KEY") then
  models["gpt-4"] = ys.openai { model = "gpt-4", temperature = 0,
                                max_tokens = 40,
                                price = { input = 30, output = 60 } }
  models["gpt-3.5"] = ys.openai { model = "gpt-3.5-turbo", temperature = 0,
                                  max_tokens = 40,
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
    api_key_env = "YS_FT_API_KEY", temperature = 0, max_tokens = 40,
    hosting = { monthly_usd = monthly },
  }
  remote = remote + 1
  ys.log(NAME .. ": using fine_tuned at " .. ft_url)
else
  ys.log(NAME .. ": skipping fine_tuned and its promotion gates: "
         .. "YS_FT_BASE_URL is not set (the OpenAI-compatible server of "
         .. "the fine-tuned model)")
end
-- }======

-- {====== the gates ======
local gates = {
  -- The trained stand-in beats the zero-shot one on full paths ...
  { model = "trained", metric = "taxonomy_depth.level3",
    beats = "zero_shot" },
  -- ... is right at the top level for at least 70% of products, at the
  -- low end of its interval ...
  { model = "trained", metric = "taxonomy_depth.level1", min = 0.70,
    bound = "lower" },
  -- ... and never fails.
  { model = "trained", max_error_rate = 0 },
}
if models.fine_tuned then
  -- The case study's promotion rule, as in suite.lua: at least 90% right
  -- on full paths, and not worse than GPT-4 by more than two points. The
  -- second needs gpt-4: the suite stops rather than drop it.
  gates[#gates + 1] = { model = "fine_tuned",
                        metric = "taxonomy_depth.level3", min = 0.90 }
  if not models["gpt-4"] then
    error("fine_tuned's promotion gate compares it with gpt-4, which is "
          .. "skipped (OPENAI_API_KEY is not set): set the key, or remove "
          .. "that gate from the suite to evaluate the candidate alone")
  end
  gates[#gates + 1] = { model = "fine_tuned",
                        metric = "taxonomy_depth.level3",
                        not_worse_than = "gpt-4", margin = 0.02 }
  gates[#gates + 1] = { model = "fine_tuned", max_error_rate = 0.01 }
end
-- }======

return ys.suite {
  name = NAME,
  description = "classify Flipkart product titles into the Google Product "
             .. "Taxonomy, levels 1-3",
  dataset = ys.jsonl "data/eval.jsonl",
  prompt = {
    system = "Classify the product into the Google Product Taxonomy "
          .. "(2021-09-21). Answer with its path to at most three levels, "
          .. "levels separated by ' > ' (for example 'Apparel & Accessories "
          .. "> Clothing > Dresses'), and nothing else.",
    user = "Product title: {{title}}",
  },
  models = models,
  metrics = {
    -- level1..3, and valid: the answer is one of Google's categories (an
    -- answer may also be a category id, such as 2271).
    ys.metric "taxonomy_depth" { expected = "google", levels = 3,
                                 taxonomy = TAXONOMY },
    ys.metric "exact_match" { expected = "google", ignore_case = true },
  },
  baselines = {
    human_accuracy = { metric = "taxonomy_depth.level3", value = 0.76 },
  },
  gates = gates,
  max_error_rate = remote > 0 and 0.01 or 0,
}
