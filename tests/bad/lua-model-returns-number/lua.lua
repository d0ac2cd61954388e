local ys = require "yardstick"
return ys.suite {
  name = "bad",
  dataset = ys.jsonl "data.jsonl",
  prompt = "Title: {{title}}",
  models = { m = ys.model { chat = function(self, request) return 42 end } },
  metrics = { ys.metric "exact_match" { expected = "answer" } },
}
