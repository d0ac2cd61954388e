-- check_run: a recorded participant (one wrong answer of four) and the
-- reference column replayed as a second one, listed out of alphabetical
-- order. Every summary figure is known exactly (see tests/check_run.c).
local ys = require "yardstick"
return ys.suite {
  name = "unit-run",
  dataset = ys.jsonl "rows.jsonl",
  prompt = "Q: {{q}}",
  models = {
    zeta = ys.replay { file = "outputs.jsonl" },
    alpha = ys.replay { field = "answer" },
  },
  metrics = { ys.metric "exact_match" { expected = "answer" } },
}
