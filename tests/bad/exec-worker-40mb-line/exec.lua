local ys = require "yardstick"
return ys.suite {
  name = "bad",
  dataset = ys.jsonl "data.jsonl",
  prompt = "Title: {{title}}",
  models = { worker = ys.exec { cmd = { "sh", "-c", [[while read -r line; do printf "{\"text\": \""; head -c 40000000 /dev/zero | tr "\\0" x; echo "\"}"; done]] }, timeout = 20 } },
  metrics = { ys.metric "exact_match" { expected = "answer" } },
}
