local ys = require "yardstick"
return ys.suite {
  name = "tsv",
  dataset = ys.csv "data.tsv",
  prompt = "{{title}}",
  models = { a = ys.replay { field = "title" },
             b = ys.replay { field = "id" } },
  metrics = { ys.metric "exact_match", ys.metric "length" },
  gates = { { model = "a", metric = "exact_match", beats = "b" } },
}
