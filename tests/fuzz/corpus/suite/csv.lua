local ys = require "yardstick"
return ys.suite {
  name = "csv",
  dataset = ys.csv { "data.csv", delimiter = "," },
  prompt = { user = "{{title}} ({{category}})" },
  models = { echo = ys.replay { field = "category" } },
  metrics = { ys.metric "taxonomy_depth" { expected = "category",
                                           levels = 2, sep = ">" } },
  gates = { { model = "echo", metric = "taxonomy_depth.level1", min = 0.5 } },
}
