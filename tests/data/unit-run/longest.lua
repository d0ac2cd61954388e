-- A continuous metric with a custom aggregate: the longest output.
return {
  name = "longest",
  description = "length of the output; aggregated as the maximum",
  score = function(p, sample, output, ctx)
    return #output
  end,
  aggregate = function(scores, key)
    local m = -1
    for _, v in ipairs(scores) do
      if v > m then m = v end
    end
    return m
  end,
}
