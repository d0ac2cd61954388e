local ys = require "yardstick"
local map = { shirts = "Shirts" }
map.self = map
return ys.suite {
  name = "bad",
  dataset = ys.jsonl "data.jsonl",
  prompt = "Title: {{title}}",
  models = { echo = ys.replay { field = "title" } },
  metrics = { ys.metric "tabular" { map = map } },
}
