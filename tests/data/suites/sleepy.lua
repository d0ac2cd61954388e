-- Tasks that finish out of order: each sleeps a time derived from its id,
-- so completion order differs from dataset order at any -j above 1.
local ys = require "yardstick"
local function delay(id)
  local h = 0
  for i = 1, #id do h = (h * 31 + id:byte(i)) % 1000 end
  return h % 23
end
return ys.suite {
  name = "sleepy",
  dataset = ys.jsonl "../products.jsonl",
  prompt = "{{title}}",
  models = {
    slow = ys.model {
      chat = function(self, request)
        ys.sleep(delay(request.id))
        return request.sample.category
      end,
    },
    limited = ys.model {
      concurrency = 2,
      chat = function(self, request)
        ys.sleep(delay(request.id .. "x"))
        return request.sample.human_label
      end,
    },
  },
  metrics = {
    ys.metric "taxonomy_depth" { expected = "category" },
    ys.metric "exact_match" { expected = "category" },
  },
}
