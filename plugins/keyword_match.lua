-- SPDX-License-Identifier: MIT
-- keyword_match: a zero-shot classifier that knows only the category
-- names. It picks the category whose words best overlap the input, words
-- deeper in the path counting more. An honest "untuned" baseline: no
-- training data, just the label set.
--
--   ys.keyword_match { categories = "categories.txt" | { ... },
--                      text = "title" [, sep = ">"] }
local ys = require "yardstick"

local OPTIONS = { categories = true, text = true, sep = true,
                  concurrency = true, price = true, hosting = true }

-- Lower-case words with a crude plural strip, so "Shorts" meets "short".
local function words(s)
  local t = {}
  for w in s:lower():gmatch("[%w\128-\255]+") do
    if #w > 3 and w:sub(-1) == "s" and w:sub(-2) ~= "ss" then
      w = w:sub(1, -2)
    end
    if #w > 1 then t[#t + 1] = w end
  end
  return t
end

return function(opts)
  if type(opts) ~= "table" then
    error("expected a table of options { categories = ..., text = ... }", 0)
  end
  for k in pairs(opts) do
    if not OPTIONS[k] then
      error("unknown option '" .. tostring(k) .. "' (expected categories, "
            .. "text, sep, concurrency, price, hosting)", 0)
    end
  end
  local list = opts.categories
  if type(list) == "string" then
    list = ys.read_lines(list)
  elseif type(list) ~= "table" then
    error("'categories' must be a file (one path per line) or a list", 0)
  end
  if #list == 0 then error("'categories' is empty", 0) end
  local sep = opts.sep or ">"
  local text_field = opts.text or "text"

  -- For each category: its words, weighted by the depth they appear at.
  local cats = {}
  for i, path in ipairs(list) do
    if type(path) ~= "string" then
      error("categories[" .. i .. "] is not a string", 0)
    end
    local weight, depth = {}, 0
    for level in (path .. sep):gmatch("(.-)" .. sep:gsub("%p", "%%%0")) do
      depth = depth + 1
      for _, w in ipairs(words(level)) do
        weight[w] = math.max(weight[w] or 0, depth)
      end
    end
    cats[#cats + 1] = { path = path:match("^%s*(.-)%s*$"), weight = weight }
  end
  table.sort(cats, function(a, b) return a.path < b.path end)

  local function classify(text)
    local ws = words(text)
    local best, best_score = cats[1].path, 0
    for _, c in ipairs(cats) do
      local score = 0
      for _, w in ipairs(ws) do score = score + (c.weight[w] or 0) end
      if score > best_score then
        best, best_score = c.path, score
      end
    end
    return best
  end

  return {
    kind = "keyword_match",
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
