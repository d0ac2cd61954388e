local ys = require "yardstick"
return ys.suite {
  name = "bad",
  dataset = ys.jsonl "data.jsonl",
  prompt = "Title: {{title}}",
  models = { echo = ys.replay { field = "title" } },
  metrics = { ys.metric "llm_judge" { judge = "gradr", properties = { correct = "the answer is right" } } },
}
