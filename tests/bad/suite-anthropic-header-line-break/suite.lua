local ys = require "yardstick"
return ys.suite {
  name = "bad",
  dataset = ys.jsonl "data.jsonl",
  prompt = "{{q}}",
  models = { claude = ys.anthropic { base_url = "http://127.0.0.1:1",
                                     model = "m",
                                     headers = { ["X-Team"] = "a\r\nb" } } },
  metrics = { ys.metric "exact_match" { expected = "answer" } },
}
