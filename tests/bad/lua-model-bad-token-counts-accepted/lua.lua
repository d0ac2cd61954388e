local ys = require "yardstick"
return ys.suite {
  name = "bad",
  dataset = ys.jsonl "data.jsonl",
  prompt = "Title: {{title}}",
  models = { m = ys.model { chat = function(self, request) return { text = "Shirts", input_tokens = -5, output_tokens = "many" } end } },
  metrics = { ys.metric "exact_match" { expected = "answer" } },
}
