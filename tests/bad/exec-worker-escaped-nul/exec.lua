local ys = require "yardstick"
return ys.suite {
  name = "bad",
  dataset = ys.jsonl "data.jsonl",
  prompt = "Title: {{title}}",
  models = { worker = ys.exec { cmd = { "sh", "-c", [[while read -r line; do printf "%s\n" "{\"text\": \"Shirts\\u0000 and more\"}"; done]] }, timeout = 20 } },
  metrics = { ys.metric "exact_match" { expected = "answer" } },
}
