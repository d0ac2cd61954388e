local ys = require "yardstick"
return ys.suite {
  name = "bad"
  dataset = ys.jsonl "data.jsonl",
}
