-- Every suite field, every kind of gate and most metrics.
local ys = require "yardstick"

local judge = ys.model {
  chat = function(self, request)
    return { text = '{"score": 4, "rationale": "fine"}', input_tokens = 9,
             output_tokens = 5 }
  end,
}

return ys.suite {
  name = "product-categorization_v2.1:ft+base@l4",
  description = "classify product titles into a 3-level category tree",
  dataset = ys.jsonl { "data.jsonl" },
  id = "id",
  prompt = {
    system = "Answer with the full path, levels separated by ' > '.",
    user = "Title: {{ title }}\nCategory hint: {{category}}",
  },
  models = {
    echo = ys.replay { field = "title", concurrency = 4 },
    recorded = ys.replay { file = "outputs.jsonl", model = "m",
                           price = { input = 0.5, output = 1.5 } },
    trained = ys.naive_bayes { train = "train.jsonl", text = "title",
                               label = "category", alpha = 0.5 },
    zero_shot = ys.keyword_match { categories = "categories.txt",
                                   text = "title", sep = ">" },
    inline = ys.model {
      chat = function(self, request)
        return request.messages[#request.messages].content:upper()
      end,
      hosting = { monthly_usd = 515 },
      rpm = 600, tpm = 100000,
    },
  },
  helpers = { judge = judge },
  metrics = {
    ys.metric "exact_match" { expected = "category", ignore_case = true,
                              strip_punctuation = true },
    ys.metric "taxonomy_depth" { expected = "category", levels = 3 },
    ys.metric "contains" { values = { "shirt", "bottle" }, all = false },
    ys.metric "regex" { pattern = "^[A-Z][a-z]+( > [A-Za-z ]+)*$",
                        flags = "i" },
    ys.metric "choice" { options = { "Apparel", "Home" },
                         expected = "category" },
    ys.metric "json_valid" { extract = true, object = true },
    ys.metric "json_schema" { schema = { type = "object",
      required = { "name" }, properties = { name = { type = "string" } } } },
    ys.metric "field_completeness" { fields = { "name", "dob" } },
    ys.metric "field_accuracy" { fields = { "name" },
                                 expected = "category" },
    ys.metric "edit_distance" { expected = "category", normalize = true },
    ys.metric "token_f1" { expected = "category", drop_articles = true },
    ys.metric "rouge_l" { expected = "category", beta = 1.2 },
    ys.metric "length" { unit = "words" },
    ys.metric "compression" { input = "title" },
    ys.metric "llm_judge" { judge = "judge",
      properties = { helpful = "the answer is a category path" },
      rubric = { ["1"] = "wrong", ["5"] = "exact" }, repeats = 2 },
    ys.metric "latency" { percentile = 95 },
    ys.metric "cost" { per_samples = 1000 },
  },
  baselines = {
    human_accuracy = { metric = "taxonomy_depth.level3", value = 0.76 },
  },
  gates = {
    { model = "trained", metric = "taxonomy_depth.level3",
      beats = "zero_shot", alpha = 0.05 },
    { model = "trained", metric = "taxonomy_depth.level3",
      not_worse_than = "human_accuracy", margin = 0.02 },
    { model = "trained", metric = "taxonomy_depth.level1", min = 0.7,
      bound = "lower" },
    { model = "echo", metric = "exact_match", max = 1, bound = "upper" },
    { model = "trained", max_error_rate = 0 },
    { model = "recorded", max_cost_per_1k = 2.5 },
    { model = "inline", max_p95_latency_ms = 1500 },
  },
  max_error_rate = 0.01,
  ["repeat"] = 3,
}
