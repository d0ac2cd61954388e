local ys = require "yardstick"
return ys.suite {
  name = "bad",
  dataset = ys.csv { "data.csv", delimiter = '"' },
  prompt = "Title: {{title}}",
  models = { echo = ys.replay { field = "title" } },
  metrics = { ys.metric "exact_match" { expected = "answer" } },
}
