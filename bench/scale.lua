-- The scale workload for yardstick: recorded answers replayed from the
-- dataset itself (the "pred" field), scored with taxonomy_depth and
-- exact_match. No server, no model: the benchmark measures the harness's
-- streaming, scoring, journal and statistics at a million samples.
-- bench/run.sh sets YS_BENCH_DATA to the JSONL made by gen-scale.sh.
local ys = require "yardstick"

local data = ys.env("YS_BENCH_DATA")
if not data then
  error("set YS_BENCH_DATA (bench/run.sh does)", 0)
end

return ys.suite {
  name = "bench-scale",
  description = "yardstick benchmark: a million recorded category answers",
  dataset = ys.jsonl(data),
  prompt = "Classify the product into the store taxonomy: {{title}}",
  models = { recorded = ys.replay { field = "pred" } },
  metrics = {
    ys.metric "taxonomy_depth" { expected = "category" },
    ys.metric "exact_match" { expected = "category" },
  },
}
