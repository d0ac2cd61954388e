-- SPDX-License-Identifier: MIT
-- local_server: a model server on local weights, started by yardstick on
-- a free loopback port, used through its OpenAI-compatible API, and
-- stopped at the end of the run (also on errors and Ctrl-C; it also dies
-- with yardstick if yardstick is killed).
--
--   ys.local_server {
--     cmd = { "llama-server", "-m", "model.gguf", "--port", "{port}" },
--     health = "/health",        -- GET path that answers 200 when ready
--     model = "local",           -- the model name sent in requests
--     startup_timeout = 300,     -- seconds to wait for health
--     -- and any ys.openai option (temperature, max_tokens, price ...)
--   }
-- "{port}" anywhere in cmd is replaced by the port chosen.
local ys = require "yardstick"

local OWN = { cmd = true, health = true, port = true, startup_timeout = true,
              api_path = true }

return function(opts)
  if type(opts) ~= "table" then
    error("expected a table of options { cmd = {...}, ... }", 0)
  end
  if type(opts.cmd) ~= "table" or #opts.cmd == 0 then
    error("'cmd' must list the server command and its arguments, with "
          .. "\"{port}\" where the port goes", 0)
  end
  local health = opts.health or "/health"
  if type(health) ~= "string" or health:sub(1, 1) ~= "/" then
    error("'health' must be a path such as \"/health\"", 0)
  end
  local timeout = opts.startup_timeout or 300
  if type(timeout) ~= "number" or timeout <= 0 then
    error("'startup_timeout' must be a positive number of seconds", 0)
  end
  local port = opts.port or ys.free_port()
  if math.type(port) ~= "integer" or port < 1 or port > 65535 then
    error("'port' must be a TCP port number", 0)
  end
  local cmd, uses_port = {}, false
  for i, arg in ipairs(opts.cmd) do
    if type(arg) ~= "string" then
      error("cmd[" .. i .. "] must be a string", 0)
    end
    local replaced, n = arg:gsub("{port}", tostring(port))
    if n > 0 then uses_port = true end
    cmd[i] = replaced
  end
  if not uses_port and not opts.port then
    error("cmd must contain \"{port}\" (or give port = N)", 0)
  end

  local proc = ys.spawn { cmd = cmd }
  local base = "http://127.0.0.1:" .. port
  local start = ys.clock()
  while true do
    local status = ys.http.get(base .. health, 2)
    if status == 200 then break end
    local exited, how = proc:wait(200)
    if exited then
      local tail = proc:stderr_tail(10)
      error(string.format("'%s' %s before it was healthy%s", cmd[1], how,
                          tail ~= "" and ("; it said: " .. tail) or ""), 0)
    end
    if ys.clock() - start > timeout * 1000 then
      local tail = proc:stderr_tail(10)
      proc:stop()
      error(string.format("'%s' was not healthy (GET %s%s) after %g s%s",
                          cmd[1], base, health, timeout,
                          tail ~= "" and ("; it said: " .. tail) or ""), 0)
    end
  end

  local passthrough = {}
  for k, v in pairs(opts) do
    if not OWN[k] then passthrough[k] = v end
  end
  passthrough.base_url = base .. (opts.api_path or "/v1")
  passthrough.model = opts.model or "local"
  -- Never send a hosted provider's key to a local server.
  passthrough.api_key_env = opts.api_key_env or "YARDSTICK_LOCAL_API_KEY"
  local m = ys.openai(passthrough)
  m.kind = "local_server"
  m.process = proc -- lives as long as the model; stopped when collected
  return m
end
