local ys = require "yardstick"
return ys.suite {
  name = "bad",
  dataset = ys.jsonl "data.jsonl",
  prompt = "{{q}}",
  models = { served = ys.openai { base_url = "http://127.0.0.1:1/v1",
                                  model = "m", timeout = -1 } },
  metrics = { ys.metric "exact_match" { expected = "answer" } },
}
