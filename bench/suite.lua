-- The benchmark workload for yardstick: one prompt per row, the
-- OpenAI-compatible provider pointed at the local mock server
-- (ys-testserver), one exact-match check. bench/run.sh sets:
--   YS_BENCH_DATA      absolute path of the CSV (id,title,expected)
--   YS_BENCH_BASE_URL  http://127.0.0.1:PORT/v1
-- The prompt carries the expected answer on its "ANSWER:" line, so the
-- mock answers it and every sample scores 1: the benchmark measures the
-- harness, not a model. bench/promptfooconfig.yaml is the same workload
-- for promptfoo.
local ys = require "yardstick"

local data = ys.env("YS_BENCH_DATA")
local base = ys.env("YS_BENCH_BASE_URL")
if not data or not base then
  error("set YS_BENCH_DATA and YS_BENCH_BASE_URL (bench/run.sh does)", 0)
end

return ys.suite {
  name = "bench",
  description = "yardstick benchmark: classify product titles against a mock server",
  dataset = ys.csv(data),
  id = "id",
  prompt = "Classify the product into the store taxonomy. Reply with the path only.\n"
        .. "Title: {{title}}\n"
        .. "ANSWER: {{expected}}",
  models = {
    mock = ys.openai { model = "gpt-3.5-turbo", base_url = base,
                       api_key_env = "YS_BENCH_API_KEY",
                       temperature = 0, max_tokens = 32 },
  },
  metrics = {
    ys.metric "exact_match" { expected = "expected", trim = false,
                              collapse_whitespace = false },
  },
}
