-- A managed local server: starting it needs a program.
local ys = require "yardstick"
return ys.suite {
  name = "local",
  dataset = ys.jsonl "data.jsonl",
  prompt = "{{title}}",
  models = {
    llama = ys.local_server { cmd = { "llama-server", "-m", "model.gguf",
                                      "--port", "{port}" },
                              port = 8080, health = "/health",
                              model = "local", startup_timeout = 1,
                              temperature = 0 },
  },
  metrics = { ys.metric "exact_match" },
}
