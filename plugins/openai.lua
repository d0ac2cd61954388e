-- SPDX-License-Identifier: MIT
-- openai: chat completions from the OpenAI API or any OpenAI-compatible
-- server (vLLM, TGI, llama.cpp's llama-server, Ollama, LiteLLM ...). This
-- file only builds the request and reads the reply; the transport,
-- retries, cache and accounting are yardstick's.
--
--   ys.openai { model = "gpt-4o-mini" [, base_url = ..., api_key_env =
--     "OPENAI_API_KEY", temperature =, max_tokens =, top_p =, seed =,
--     stop =, extra = { ... }, timeout = 120, connect_timeout = 10,
--     retries = 5, insecure = false, price = { input =, output = },
--     hosting = { monthly_usd = },
--     concurrency =, rpm =, tpm = } ]
local ys = require "yardstick"

local OPENAI = "https://api.openai.com/v1"

local OPTIONS = {
  model = "string", base_url = "string", api_key_env = "string",
  temperature = "number", max_tokens = "number", top_p = "number",
  seed = "number", stop = "any", extra = "table", path = "string",
  timeout = "number", connect_timeout = "number", retries = "number",
  retry_base = "number", retry_cap = "number", insecure = "boolean",
  max_response_bytes = "number", headers = "table", price = "table",
  hosting = "table",
  concurrency = "number", rpm = "number", tpm = "number",
}

-- The error message an OpenAI-shaped error body carries, if any.
local function api_message(body)
  local doc = ys.json.decode(body)
  if type(doc) == "table" and type(doc.error) == "table"
     and type(doc.error.message) == "string" then
    return doc.error.message
  end
  local text = body:gsub("%s+", " "):sub(1, 200)
  return text ~= "" and text or "(empty body)"
end

-- "not JSON", and the content type when it says what came instead (an
-- HTML page from a proxy).
local function not_json(resp)
  local ct = resp.headers and resp.headers["content-type"]
  if ct and not ct:find("json", 1, true) then
    return "not JSON (content type " .. ct:gsub(";.*", "") .. ")"
  end
  return "not JSON"
end

return function(opts)
  if type(opts) ~= "table" then
    error("expected a table of options { model = ..., ... }", 0)
  end
  for k, v in pairs(opts) do
    local want = OPTIONS[k]
    if not want then
      error("unknown option '" .. tostring(k) .. "'", 0)
    elseif want ~= "any" and type(v) ~= want then
      error("option '" .. k .. "' must be a " .. want .. ", got "
            .. type(v), 0)
    end
  end
  if opts.api_key then error("give api_key_env, never the key itself", 0) end
  if type(opts.model) ~= "string" or opts.model == "" then
    error("'model' is required (the model name the server knows)", 0)
  end
  local base = opts.base_url or ys.env("OPENAI_BASE_URL") or OPENAI
  base = base:gsub("/+$", "")
  if not base:match("^https?://") then
    error("base_url must start with http:// or https://", 0)
  end
  local key_env = opts.api_key_env or "OPENAI_API_KEY"
  if base == OPENAI and not ys.env(key_env) then
    error(key_env .. " is not set (the OpenAI API needs a key)", 0)
  end
  local url = base .. (opts.path or "/chat/completions")
  local params = { temperature = opts.temperature,
                   max_tokens = opts.max_tokens, top_p = opts.top_p,
                   seed = opts.seed, stop = opts.stop }
  local extra = opts.extra or {}
  local headers = { ["Content-Type"] = "application/json" }
  for k, v in pairs(opts.headers or {}) do headers[k] = v end
  local transport = ys.http.transport {
    url = url, headers = headers, cache_as = "openai",
    auth = { env = key_env, header = "Authorization", prefix = "Bearer " },
    timeout = opts.timeout, connect_timeout = opts.connect_timeout,
    retries = opts.retries, retry_base = opts.retry_base,
    retry_cap = opts.retry_cap, insecure = opts.insecure,
    max_response_bytes = opts.max_response_bytes,
  }

  return {
    kind = "openai",
    model = opts.model,
    base_url = base,
    concurrency = opts.concurrency,
    rpm = opts.rpm,
    tpm = opts.tpm,
    price = opts.price,
    hosting = opts.hosting,
    chat = function(self, request)
      local body = { model = opts.model, messages = request.messages }
      for k, v in pairs(params) do body[k] = v end
      for k, v in pairs(extra) do body[k] = v end
      for k, v in pairs(request.options) do body[k] = v end
      local resp, err = ys.http.request(transport, ys.json.encode(body))
      if not resp then error(err, 0) end
      if resp.status ~= 200 then
        error(string.format("HTTP %d from %s: %s", resp.status, url,
                            api_message(resp.body)), 0)
      end
      local doc = ys.json.decode(resp.body)
      local choice = type(doc) == "table" and type(doc.choices) == "table"
                     and doc.choices[1]
      local message = type(choice) == "table" and choice.message
      local content = type(message) == "table" and message.content
      if type(content) ~= "string" then
        error("malformed response from " .. url .. ": "
              .. (type(doc) ~= "table" and not_json(resp)
                  or "no choices[1].message.content"), 0)
      end
      local usage = type(doc.usage) == "table" and doc.usage or {}
      return { text = content, input_tokens = usage.prompt_tokens,
               output_tokens = usage.completion_tokens,
               finish_reason = choice.finish_reason }
    end,
  }
end
