-- Recorded outputs and a human-annotation column as participants: the
-- scores are known exactly (see tests/cli/run.sh).
local ys = require "yardstick"
return ys.suite {
  name = "replay",
  dataset = ys.jsonl "../products.jsonl",
  prompt = "Title: {{title}}",
  models = {
    recorded = ys.replay { file = "../outputs.jsonl" },
    human = ys.replay { field = "human_label" },
  },
  metrics = {
    ys.metric "taxonomy_depth" { expected = "category", levels = 3 },
    ys.metric "exact_match" { expected = "category" },
  },
  baselines = { published = { metric = "taxonomy_depth.level3", value = 0.76 } },
  gates = {
    { model = "human", metric = "taxonomy_depth.level3", min = 0.7 },
    { model = "recorded", metric = "taxonomy_depth.level1", min = 1 },
  },
}
