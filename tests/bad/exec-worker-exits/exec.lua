local ys = require "yardstick"
return ys.suite {
  name = "bad",
  dataset = ys.jsonl "data.jsonl",
  prompt = "Title: {{title}}",
  models = { worker = ys.exec { cmd = { "sh", "-c", [[echo "model file not found" >&2; exit 1]] }, timeout = 20 } },
  metrics = { ys.metric "exact_match" { expected = "answer" } },
}
