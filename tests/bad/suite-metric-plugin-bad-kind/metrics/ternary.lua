return {
  name = "ternary",
  kind = "ternary",
  score = function(params, sample, output, ctx) return 1 end,
}
