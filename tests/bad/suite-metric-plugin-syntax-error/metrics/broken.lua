return {
  name = "broken",
  score = function(params, sample, output, ctx) return 1 end
