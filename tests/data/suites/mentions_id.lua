-- A metric given by path: 1 when the structured output mentions the id.
return {
  name = "mentions_id",
  kind = "binary",
  score = function(p, sample, output, ctx)
    return output.shout == string.upper(sample.id)
  end,
}
