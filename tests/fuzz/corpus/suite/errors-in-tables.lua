local ys = require "yardstick"
return ys.suite {
  name = "errors",
  dataset = ys.jsonl "data.jsonl",
  prompt = { system = 1, user = "{{title}}" },
  models = { ["bad name!"] = ys.replay { field = "x" }, [1] = 2 },
  metrics = { ys.metric "exact_match" { expected = 5 }, "not a metric" },
  baselines = { b = { metric = "nope" } },
  gates = { { model = "nobody", min = "x" }, 7 },
  max_error_rate = 2,
  ["repeat"] = 0,
  unknown = true,
}
