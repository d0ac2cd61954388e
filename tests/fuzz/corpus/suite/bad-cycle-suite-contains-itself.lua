local ys = require "yardstick"
local s = {
  name = "bad",
  dataset = ys.jsonl "data.jsonl",
  prompt = "Title: {{title}}",
  models = { echo = ys.replay { field = "title" } },
  metrics = { ys.metric "exact_match" { expected = "answer" } },
}
s.models.again = s
return ys.suite(s)
