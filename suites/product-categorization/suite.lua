-- Product categorization: the "before and after fine-tuning" comparison
-- of the first case study, offline. A zero-shot keyword model that knows
-- only the category names stands in for the untuned model; a naive Bayes
-- classifier trained on data/train.jsonl stands in for the fine-tuned one.
-- Both are scored at taxonomy depth 1-3 against the human annotators'
-- published accuracy (76%).
local ys = require "yardstick"

return ys.suite {
  name = "product-categorization",
  description = "classify Flipkart product titles into a 3-level category tree",
  dataset = ys.jsonl "data/eval.jsonl",
  id = "id",
  prompt = {
    system = "Classify the product into the store's category tree. Answer "
          .. "with the full path, levels separated by ' > '.",
    user = "Product title: {{title}}",
  },
  models = {
    zero_shot = ys.keyword_match { categories = "data/categories.txt",
                                   text = "title" },
    trained = ys.naive_bayes { train = "data/train.jsonl", text = "title",
                               label = "category" },
  },
  metrics = {
    ys.metric "taxonomy_depth" { expected = "category", levels = 3 },
    ys.metric "exact_match" { expected = "category", ignore_case = true },
  },
  baselines = {
    human_accuracy = { metric = "taxonomy_depth.level3", value = 0.76 },
  },
  gates = {
    -- Promotion: the trained model must be significantly better than the
    -- untuned one on full paths (McNemar's test on the same products) ...
    { model = "trained", metric = "taxonomy_depth.level3",
      beats = "zero_shot" },
    -- ... be right on the top level for at least 70% of products, even at
    -- the low end of its 95% interval ...
    { model = "trained", metric = "taxonomy_depth.level1", min = 0.70,
      bound = "lower" },
    -- ... and never fail on a product.
    { model = "trained", max_error_rate = 0 },
  },
}
