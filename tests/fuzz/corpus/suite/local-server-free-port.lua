-- A managed local server on a free port.
local ys = require "yardstick"
return ys.suite {
  name = "local",
  dataset = ys.jsonl "data.jsonl",
  prompt = "{{title}}",
  models = { vllm = ys.local_server { cmd = { "vllm", "serve", "m",
                                              "--port", "{port}" } } },
  metrics = { ys.metric "exact_match" },
}
