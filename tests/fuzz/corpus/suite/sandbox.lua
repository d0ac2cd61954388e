-- What the sandbox refuses, each caught so the next one runs.
local ys = require "yardstick"
local tried = {}
for _, f in ipairs({
  function() return io.open("/etc/passwd") end,
  function() return os.execute("true") end,
  function() return load("return 1")() end,
  function() return dofile("x.lua") end,
  function() return require "os" end,
  function() x_global = 1 end,
  function() _G.y = 2 end,
  function() return string.dump(print) end,
  function() return ys.spawn { cmd = { "true" } } end,
  function() return ys.http.get("http://127.0.0.1:9/") end,
  function() return ys.rows("/etc/passwd")() end,
  function() return ys.read_lines("../../../../etc/hostname") end,
  function() return ys.sleep(1) end,
  function() return setmetatable(_ENV, {}) end,
}) do
  local ok, err = pcall(f)
  tried[#tried + 1] = tostring(ok) .. ": " .. tostring(err)
end
return ys.suite {
  name = "sandbox",
  description = table.concat(tried, "\n"),
  dataset = ys.jsonl "data.jsonl",
  prompt = "{{title}}",
  models = { echo = ys.replay { field = "title" } },
  metrics = { ys.metric "exact_match" },
}
