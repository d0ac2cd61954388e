-- A model that fails on some samples and a metric that fails on others.
local ys = require "yardstick"
return ys.suite {
  name = "failing",
  dataset = ys.jsonl "../products.jsonl",
  prompt = "{{title}}",
  max_error_rate = tonumber(ys.env("TEST_MAX_ERROR_RATE") or "0"),
  models = {
    flaky = ys.model {
      chat = function(self, request)
        if request.id == "p03" or request.id == "p07" then
          error("backend exploded on " .. request.id, 0)
        end
        return request.sample.category
      end,
    },
  },
  metrics = {
    ys.metric "exact_match" { expected = "category" },
    ys.metric "exact_match" { name = "picky", expected = "human_label" },
    ys.metric "./fails_on_p05.lua",
  },
}
