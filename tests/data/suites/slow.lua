-- A slow model for interrupt tests: each call sleeps SLOW_MS (default 150).
local ys = require "yardstick"
local ms = tonumber(ys.env("SLOW_MS") or "150")
return ys.suite {
  name = "slow",
  dataset = ys.jsonl "../products.jsonl",
  prompt = "{{title}}",
  models = {
    slow = ys.model {
      chat = function(self, request)
        ys.sleep(ms)
        return request.sample.category
      end,
    },
  },
  metrics = { ys.metric "exact_match" { expected = "category" } },
}
