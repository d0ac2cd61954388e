local ys = require "yardstick"
return ys.suite {
  name = "bad",
  dataset = ys.jsonl "data.jsonl",
  prompt = "Title: {{title}}",
  models = { echo = ys.replay { field = "title" } },
  metrics = { ys.metric "exact_match" { expected = "answer" } },
  max_erors = 0.1,
}
