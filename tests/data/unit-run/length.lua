-- A continuous metric: the output's length in bytes.
return {
  name = "length",
  description = "length of the output in bytes",
  score = function(p, sample, output, ctx)
    return #output
  end,
}
