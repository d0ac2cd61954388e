local ys = require "yardstick"
return ys.suite {
  name = 5,
  dataset = ys.jsonl "data.jsonl",
  prompt = "Title: {{title}}",
  models = { echo = ys.replay { field = "title" } },
  metrics = { ys.metric "exact_match" { expected = "answer" } },
}
