-- check_run: twelve outputs of known lengths (sum 174, longest 40) scored
-- by a continuous metric (bootstrap interval) and a custom aggregate.
local ys = require "yardstick"
return ys.suite {
  name = "unit-lengths",
  dataset = ys.jsonl "lengths.jsonl",
  prompt = "{{text}}",
  models = { echo = ys.replay { field = "text" } },
  metrics = { ys.metric "length.lua", ys.metric "longest.lua" },
}
