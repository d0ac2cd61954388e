-- SPDX-License-Identifier: MIT
-- latency: milliseconds per sample, as a metric so gates can use it: the
-- model's time (its calls, summed) or the sample's time from start to
-- end. Aggregated as the mean, or as a percentile (p95 = 95).
local ys = require "yardstick"

return {
  name = "latency",
  description = "milliseconds per sample (the model calls, or start to end),"
    .. " aggregated as the mean or a percentile",
  params = {
    source = { type = "string", default = "model",
               doc = "model (the calls' time) or elapsed (start to end)" },
    percentile = { type = "number",
                   doc = "aggregate as this percentile (e.g. 95) instead "
                     .. "of the mean" },
  },
  keys = function(p)
    if p.source ~= "model" and p.source ~= "elapsed" then
      error("source must be model or elapsed", 0)
    end
    if p.percentile and (p.percentile < 0 or p.percentile > 100) then
      error("percentile must be from 0 to 100", 0)
    end
    return nil
  end,
  score = function(p, sample, output, ctx)
    if p.source == "elapsed" then return ctx.elapsed_ms or 0 end
    return ctx.usage and ctx.usage.latency_ms or 0
  end,
  -- The mean, or for a percentile linear interpolation between order
  -- statistics (R's type 7, numpy's default).
  aggregate = function(scores, key, p)
    local n = #scores
    if n == 0 then return 0 / 0 end
    if not p.percentile then
      local sum = 0
      for _, x in ipairs(scores) do sum = sum + x end
      return sum / n
    end
    table.sort(scores)
    local h = (n - 1) * p.percentile / 100
    local i = math.floor(h)
    if i + 1 >= n then return scores[n] end
    return scores[i + 1] + (h - i) * (scores[i + 2] - scores[i + 1])
  end,
}
