-- Provider plugins and an exec worker pool: built at load, never called.
local ys = require "yardstick"
return ys.suite {
  name = "providers",
  dataset = ys.jsonl "data.jsonl",
  prompt = { system = "Be brief.", user = "{{title}}" },
  models = {
    gpt = ys.openai { model = "gpt-4o-mini", base_url = "http://127.0.0.1:9/v1",
                      temperature = 0, max_tokens = 64, seed = 7,
                      stop = { "\n" }, retries = 2, timeout = 30,
                      extra = { response_format = { type = "json_object" } },
                      price = { input = 0.15, output = 0.6 } },
    claude = ys.anthropic { model = "claude-3-5-haiku-latest",
                            base_url = "http://127.0.0.1:9",
                            max_tokens = 256, stop_sequences = { "END" },
                            version = "2023-06-01" },
    worker = ys.exec { cmd = { "cat" }, workers = 2, timeout = 5 },
  },
  metrics = { ys.metric "exact_match" { expected = "answer" } },
  gates = { { model = "gpt", metric = "exact_match", beats = "claude" } },
}
