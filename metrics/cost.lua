-- SPDX-License-Identifier: MIT
-- cost: what a sample cost in USD (from the model's price and its token
-- counts), as a metric so gates can use it. per_samples = 1000 gives the
-- cost per 1,000 samples.
return {
  name = "cost",
  description = "USD per sample from the model's price and tokens (times "
    .. "per_samples: 1000 gives the cost per 1,000 samples)",
  params = {
    per_samples = { type = "number", default = 1,
                    doc = "multiply by this (more than 0): 1000 for cost "
                      .. "per 1,000" },
  },
  keys = function(p)
    local n = p.per_samples
    if not (n > 0 and n < math.huge) then
      error("per_samples must be a number above 0", 0)
    end
    return nil
  end,
  score = function(p, sample, output, ctx)
    return (ctx.usage and ctx.usage.cost or 0) * p.per_samples
  end,
}
