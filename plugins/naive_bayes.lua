-- SPDX-License-Identifier: MIT
-- naive_bayes: a multinomial naive Bayes text classifier, trained from a
-- labelled file when the suite loads, used as a local model. It is the
-- offline stand-in for a fine-tuned model: a real model trained on the
-- task's data, needing no network or weights.
--
--   ys.naive_bayes { train = "train.jsonl", text = "title",
--                    label = "category" [, alpha = 1] }
--
-- At evaluation it classifies the sample's `text` field when the sample
-- has one, else the last user message of the prompt.
local ys = require "yardstick"

local OPTIONS = { train = true, text = true, label = true, alpha = true,
                  concurrency = true, price = true, hosting = true }

local function tokens(s)
  local t = {}
  for w in s:lower():gmatch("[%w\128-\255]+") do t[#t + 1] = w end
  return t
end

return function(opts)
  if type(opts) ~= "table" then
    error("expected a table of options { train = ..., text = ..., "
          .. "label = ... }", 0)
  end
  for k in pairs(opts) do
    if not OPTIONS[k] then
      error("unknown option '" .. tostring(k) .. "' (expected train, "
            .. "text, label, alpha, concurrency, price, hosting)", 0)
    end
  end
  if opts.train == nil then error("'train' (the training file) is required", 0) end
  local text_field = opts.text or "text"
  local label_field = opts.label or "label"
  local alpha = opts.alpha or 1
  if type(alpha) ~= "number" or alpha <= 0 then
    error("'alpha' must be a positive number", 0)
  end

  -- Training: word counts per class.
  local counts, class_tokens, class_docs = {}, {}, {}
  local vocab, nvocab, ndocs = {}, 0, 0
  for row, line in ys.rows(opts.train) do
    local text, label = row[text_field], row[label_field]
    if type(text) ~= "string" or type(label) ~= "string" then
      error(string.format("training row at line %d needs string fields "
                          .. "'%s' and '%s'", line, text_field, label_field), 0)
    end
    local c = counts[label]
    if not c then
      c = {}
      counts[label] = c
      class_tokens[label] = 0
      class_docs[label] = 0
    end
    class_docs[label] = class_docs[label] + 1
    ndocs = ndocs + 1
    for _, w in ipairs(tokens(text)) do
      c[w] = (c[w] or 0) + 1
      class_tokens[label] = class_tokens[label] + 1
      if not vocab[w] then
        vocab[w] = true
        nvocab = nvocab + 1
      end
    end
  end
  if ndocs == 0 then error("the training file has no rows", 0) end

  -- Classes in a fixed order, so ties and sums never depend on the order
  -- pairs() happens to visit them.
  local classes = {}
  for label in pairs(counts) do classes[#classes + 1] = label end
  table.sort(classes)
  local prior, denom = {}, {}
  for _, label in ipairs(classes) do
    prior[label] = math.log(class_docs[label] / ndocs)
    denom[label] = math.log(class_tokens[label] + alpha * nvocab)
  end

  local function classify(text)
    local words = {}
    for _, w in ipairs(tokens(text)) do
      if vocab[w] then words[#words + 1] = w end
    end
    local best, best_score = classes[1], -math.huge
    for _, label in ipairs(classes) do
      local c = counts[label]
      local score = prior[label] - #words * denom[label]
      for _, w in ipairs(words) do
        score = score + math.log((c[w] or 0) + alpha)
      end
      if score > best_score then
        best, best_score = label, score
      end
    end
    return best
  end

  return {
    kind = "naive_bayes",
    classes = #classes,
    concurrency = opts.concurrency,
    price = opts.price,
    hosting = opts.hosting,
    chat = function(self, request)
      local text = request.sample and request.sample[text_field]
      if type(text) ~= "string" then
        local m = request.messages[#request.messages]
        text = m and m.content or ""
      end
      return { text = classify(text) }
    end,
  }
end
