local ys = require "yardstick"
return ys.suite {
  name = "bad",
  dataset = ys.jsonl "data.jsonl",
  prompt = "{{q}}",
  models = { served = ys.openai { base_url = ys.env("YS_BAD_SERVER") .. "/v1",
                                  model = "m", timeout = 10, retries = 1,
                                  retry_base = 0.01, retry_cap = 0.05 } },
  metrics = { ys.metric "exact_match" { expected = "answer" } },
}
