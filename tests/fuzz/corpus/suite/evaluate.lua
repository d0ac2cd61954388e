-- A prompt function, an inline model and an evaluate function that talks
-- to the model twice and to a helper.
local ys = require "yardstick"

local echo = ys.model {
  chat = function(self, request)
    local last = request.messages[#request.messages].content
    return { text = "echo:" .. last, input_tokens = #request.messages,
             output_tokens = 1 }
  end,
}

return ys.suite {
  name = "evaluate",
  dataset = ys.jsonl "data.jsonl",
  prompt = function(sample) return "first:" .. sample.id end,
  models = { echo = echo },
  helpers = { upper = ys.model { chat = function(self, r)
    return string.upper(r.messages[1].content) end } },
  evaluate = function(sample, model, ctx)
    local a = model:chat(ctx.messages)
    local b, reply = model:chat({ { role = "user", content = a },
                                  { role = "user", content = "again" } })
    local shout = ctx.models.upper:chat(sample.id)
    return { first = a, second = b, shout = shout, model = ctx.model,
             tokens = reply.output_tokens }
  end,
  metrics = { ys.metric "json_valid" },
}
