return {
  name = "tabular",
  params = { map = { type = "table" } },
  score = function(params, sample, output, ctx) return 1 end,
}
