-- A CSV dataset (quoted commas, an embedded newline, CRLF) through the
-- local models: a naive Bayes model trained on the same rows in JSONL.
local ys = require "yardstick"
return ys.suite {
  name = "csv",
  dataset = ys.csv "../products.csv",
  prompt = { system = "Classify.", user = "{{title}}" },
  models = {
    trained = ys.naive_bayes { train = "../products.jsonl", text = "title",
                               label = "category" },
    zero_shot = ys.keyword_match { categories = "../categories.txt" },
  },
  metrics = { ys.metric "exact_match" { expected = "category" } },
}
