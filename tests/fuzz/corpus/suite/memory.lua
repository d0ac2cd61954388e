-- A suite that asks for more than it may have.
local ys = require "yardstick"
local s = string.rep("x", 1 << 20)
local t = {}
for i = 1, 64 do t[i] = s .. i end
local big = pcall(string.rep, "y", 1 << 40)
return ys.suite {
  name = "memory",
  description = tostring(big) .. #table.concat(t),
  dataset = ys.jsonl "data.jsonl",
  prompt = "{{title}}",
  models = { echo = ys.replay { field = "title" } },
  metrics = { ys.metric "exact_match" },
}
