-- Field extraction with recorded outputs for the report tests: a replayed
-- "extractor" (one recorded error, HTML, spreadsheet formulas, quotes,
-- pipes and newlines in its outputs) against the human annotation. Costs
-- come from the prices; one gate holds and one fails (exit status 1).
local ys = require "yardstick"
return ys.suite {
  name = "report-fixture",
  description = "extraction <fixture> for the report tests & their escaping",
  dataset = ys.jsonl "records.jsonl",
  prompt = "Extract name, city and zip as JSON: {{text}}",
  models = {
    extractor = ys.replay { file = "outputs.jsonl",
                            price = { input = 3, output = 15 } },
    human = ys.replay { field = "human", price = { input = 0.5, output = 1.5 } },
  },
  metrics = {
    ys.metric "field_completeness" { fields = { "name", "city", "zip" } },
    ys.metric "json_valid" {},
    ys.metric "contains" { name = "names_who", expected = "who" },
  },
  baselines = { contract = { metric = "field_completeness.share", value = 0.8 } },
  gates = {
    { model = "human", metric = "field_completeness.share", min = 0.8 },
    { model = "extractor", metric = "json_valid", min = 0.9 },
  },
  max_error_rate = 0.25,
}
