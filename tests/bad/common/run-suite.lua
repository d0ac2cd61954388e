local ys = require "yardstick"
return ys.suite {
  name = "bad",
  dataset = ys.jsonl "data.jsonl",
  prompt = "Title: {{title}}",
  models = { echo = ys.replay { field = "title", price = { input = 1, output = 2 } },
             gold = ys.replay { field = "answer" } },
  metrics = { ys.metric "exact_match" { expected = "answer" } },
  gates = { { model = "gold", metric = "exact_match", min = 0.5 } },
}
