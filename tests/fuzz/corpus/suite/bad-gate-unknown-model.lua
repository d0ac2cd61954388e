local ys = require "yardstick"
return ys.suite {
  name = "bad",
  dataset = ys.jsonl "data.jsonl",
  prompt = "Title: {{title}}",
  models = { echo = ys.replay { field = "title" } },
  metrics = { ys.metric "exact_match" { expected = "answer" } },
  gates = { { model = "gpt5", metric = "exact_match", min = 0.5 } },
}
