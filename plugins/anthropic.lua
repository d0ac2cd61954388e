-- SPDX-License-Identifier: MIT
-- anthropic: Anthropic's Messages API. System messages become the
-- request's system prompt; the reply's text blocks are joined.
--
--   ys.anthropic { model = "claude-3-5-haiku-latest" [, base_url =,
--     api_key_env = "ANTHROPIC_API_KEY", max_tokens = 1024, temperature =,
--     top_p =, stop_sequences =, extra = { ... }, version = "2023-06-01",
--     timeout =, retries =, price =, hosting =, concurrency =, rpm =,
--     tpm = } ]
local ys = require "yardstick"

local ANTHROPIC = "https://api.anthropic.com"

local OPTIONS = {
  model = "string", base_url = "string", api_key_env = "string",
  max_tokens = "number", temperature = "number", top_p = "number",
  top_k = "number", stop_sequences = "table", extra = "table",
  version = "string", timeout = "number", connect_timeout = "number",
  retries = "number", retry_base = "number", retry_cap = "number",
  insecure = "boolean", max_response_bytes = "number", headers = "table",
  price = "table", hosting = "table", concurrency = "number", rpm = "number",
  tpm = "number",
}

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
    elseif type(v) ~= want then
      error("option '" .. k .. "' must be a " .. want .. ", got "
            .. type(v), 0)
    end
  end
  if opts.api_key then error("give api_key_env, never the key itself", 0) end
  if type(opts.model) ~= "string" or opts.model == "" then
    error("'model' is required", 0)
  end
  local base = (opts.base_url or ys.env("ANTHROPIC_BASE_URL") or ANTHROPIC)
  base = base:gsub("/+$", "")
  if not base:match("^https?://") then
    error("base_url must start with http:// or https://", 0)
  end
  local key_env = opts.api_key_env or "ANTHROPIC_API_KEY"
  if base == ANTHROPIC and not ys.env(key_env) then
    error(key_env .. " is not set (the Anthropic API needs a key)", 0)
  end
  local url = base .. "/v1/messages"
  local headers = { ["Content-Type"] = "application/json",
                    ["anthropic-version"] = opts.version or "2023-06-01" }
  for k, v in pairs(opts.headers or {}) do headers[k] = v end
  local params = { max_tokens = opts.max_tokens or 1024,
                   temperature = opts.temperature, top_p = opts.top_p,
                   top_k = opts.top_k, stop_sequences = opts.stop_sequences }
  local extra = opts.extra or {}
  local transport = ys.http.transport {
    url = url, headers = headers, cache_as = "anthropic",
    auth = { env = key_env, header = "x-api-key" },
    timeout = opts.timeout, connect_timeout = opts.connect_timeout,
    retries = opts.retries, retry_base = opts.retry_base,
    retry_cap = opts.retry_cap, insecure = opts.insecure,
    max_response_bytes = opts.max_response_bytes,
  }

  return {
    kind = "anthropic",
    model = opts.model,
    base_url = base,
    concurrency = opts.concurrency,
    rpm = opts.rpm,
    tpm = opts.tpm,
    price = opts.price,
    hosting = opts.hosting,
    chat = function(self, request)
      local system, messages = {}, {}
      for _, m in ipairs(request.messages) do
        if m.role == "system" then
          system[#system + 1] = m.content
        else
          messages[#messages + 1] = { role = m.role, content = m.content }
        end
      end
      local body = { model = opts.model, messages = messages }
      if #system > 0 then body.system = table.concat(system, "\n\n") end
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
      if type(doc) ~= "table" or type(doc.content) ~= "table" then
        error("malformed response from " .. url .. ": "
              .. (type(doc) ~= "table" and not_json(resp) or "no content"),
              0)
      end
      local parts = {}
      for _, block in ipairs(doc.content) do
        if type(block) == "table" and block.type == "text"
           and type(block.text) == "string" then
          parts[#parts + 1] = block.text
        end
      end
      local usage = type(doc.usage) == "table" and doc.usage or {}
      return { text = table.concat(parts), input_tokens = usage.input_tokens,
               output_tokens = usage.output_tokens,
               stop_reason = doc.stop_reason }
    end,
  }
end
