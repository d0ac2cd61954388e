-- SPDX-License-Identifier: MIT
-- agreement: how well a judge's ratings agree with human ratings of the
-- same outputs, on a whole-number scale (1 to 5 by default). The model
-- under evaluation is the judge: its output is its rating of a sample, and
-- the sample holds the humans' rating of the same thing.
--
-- Per sample: exact (1 when the two ratings are equal) and within_one (1
-- when they differ by at most one point). Over a run: their shares, and
-- Pearson's and Spearman's correlation and Cohen's quadratic-weighted
-- kappa of the pairs. A correlation needs the pairs, and an aggregate sees
-- one key's scores only, so the per-sample score of pearson, spearman and
-- kappa is the pair itself, judge x 100 + human (403: the judge gave 4,
-- the humans 3); only their aggregates are statistics.
local ys = require "yardstick"

-- "score" and a whole number within three non-word characters after it
-- ("Score: 4", "score - 2/5"), as llm_judge reads a reply.
local PROSE_SCORE =
  ys.re.compile("\\bscore\\W{0,3}(?<![-.])(\\d+)(?!\\d|\\.\\d)", "i")

local function shorten(s)
  s = s:gsub("%s+", " ")
  if #s > 120 then s = s:sub(1, 120) .. "..." end
  return s
end

local function whole_in(v, p)
  return v and v == math.floor(v) and v >= p.min and v <= p.max
end

-- The judge's rating: a number, or text holding one the way llm_judge
-- reads a reply (a JSON object's "score", else "score: n", else the text
-- being only a number).
local function judge_rating(p, output)
  local v = output
  if p.field then
    if type(output) ~= "table" then
      error("the output is not an object with a field '" .. p.field .. "'",
            0)
    end
    v = output[p.field]
  end
  local s
  if type(v) == "number" then
    s = v
  elseif type(v) == "string" then
    if not utf8.len(v) then error("the output is not valid UTF-8 text", 0) end
    local obj = ys.json.extract(v)
    if type(obj) == "table" then s = tonumber(obj.score) end
    if not s then s = tonumber(PROSE_SCORE:match(v) or "") end
    if not s then s = tonumber(v:match("^%s*(%d+)%s*$") or "") end
  end
  if not whole_in(s, p) then
    error(string.format("the judge's output has no rating from %d to %d: %s",
                        p.min, p.max,
                        type(v) == "string" and shorten(v)
                          or ys.json.encode(v == nil and ys.json.null or v)),
          0)
  end
  return math.tointeger(s)
end

local function human_rating(p, sample, ctx)
  local v = sample[p.human]
  if v == nil or v == ys.json.null then
    error("sample '" .. ctx.id .. "' has no field '" .. p.human .. "'", 0)
  end
  local s = tonumber(v)
  if type(v) == "string" then s = tonumber(v:match("^%s*(.-)%s*$")) end
  if type(v) ~= "number" and type(v) ~= "string" or not whole_in(s, p) then
    error(string.format("sample '%s': '%s' must be a whole number from %d "
                        .. "to %d, got %s", ctx.id, p.human, p.min, p.max,
                        type(v) == "string" and "'" .. shorten(v) .. "'"
                          or ys.json.encode(v)), 0)
  end
  return math.tointeger(s)
end

-- {====== statistics over the pairs ======
local function pearson(x, y)
  local n = #x
  if n < 2 then return 0 / 0 end
  local mx, my = 0, 0
  for i = 1, n do mx, my = mx + x[i], my + y[i] end
  mx, my = mx / n, my / n
  local sxy, sxx, syy = 0, 0, 0
  for i = 1, n do
    local dx, dy = x[i] - mx, y[i] - my
    sxy, sxx, syy = sxy + dx * dy, sxx + dx * dx, syy + dy * dy
  end
  if sxx == 0 or syy == 0 then return 0 / 0 end   -- a constant rater
  return sxy / math.sqrt(sxx * syy)
end

-- Ranks from 1, ties sharing the mean of their ranks.
local function ranks(v)
  local order = {}
  for i = 1, #v do order[i] = i end
  table.sort(order, function(a, b)
    if v[a] ~= v[b] then return v[a] < v[b] end
    return a < b
  end)
  local r, i = {}, 1
  while i <= #order do
    local j = i
    while j < #order and v[order[j + 1]] == v[order[i]] do j = j + 1 end
    for k = i, j do r[order[k]] = (i + j) / 2 end
    i = j + 1
  end
  return r
end

-- Cohen's kappa with quadratic weights: 1 - sum(w * observed) /
-- sum(w * expected), w = (i - j)^2, expected from the two raters' own
-- distributions. 1 is perfect agreement, 0 what chance gives.
local function weighted_kappa(x, y, lo, hi)
  local n, k = #x, hi - lo + 1
  if n == 0 then return 0 / 0 end
  local rows, cols = {}, {}
  for c = 1, k do rows[c], cols[c] = 0, 0 end
  local observed = 0
  for i = 1, n do
    local a, b = x[i] - lo + 1, y[i] - lo + 1
    rows[a], cols[b] = rows[a] + 1, cols[b] + 1
    observed = observed + (a - b) ^ 2
  end
  local expected = 0
  for a = 1, k do
    for b = 1, k do
      expected = expected + (a - b) ^ 2 * rows[a] * cols[b] / n
    end
  end
  if expected == 0 then return 0 / 0 end
  return 1 - observed / expected
end
-- }======

return {
  name = "agreement",
  description = "agreement of a judge's ratings with human ratings: exact "
    .. "and within-one agreement, Pearson, Spearman, weighted kappa",
  params = {
    human = { type = "string", required = true,
              doc = "sample field holding the human rating" },
    field = { type = "string",
              doc = "for object outputs: the field holding the judge's "
                .. "rating" },
    min = { type = "integer", default = 1, doc = "lowest rating" },
    max = { type = "integer", default = 5, doc = "highest rating" },
  },
  keys = function(p)
    if p.min < 0 or p.max > 99 or p.min >= p.max then
      error("the scale must be whole numbers with 0 <= min < max <= 99", 0)
    end
    return { "exact", "within_one", "pearson", "spearman", "kappa" }
  end,
  score = function(p, sample, output, ctx)
    local h = human_rating(p, sample, ctx)
    local j = judge_rating(p, output)
    local pair = j * 100 + h
    return { exact = j == h, within_one = math.abs(j - h) <= 1,
             pearson = pair, spearman = pair, kappa = pair },
           { judge = j, human = h }
  end,
  aggregate = function(scores, key, p)
    local n = #scores
    if n == 0 then return 0 / 0 end
    if key == "exact" or key == "within_one" then
      local sum = 0
      for _, s in ipairs(scores) do sum = sum + s end
      return sum / n
    end
    local judge, human = {}, {}
    for i, s in ipairs(scores) do
      judge[i], human[i] = s // 100, s % 100
    end
    if key == "pearson" then return pearson(judge, human) end
    if key == "spearman" then return pearson(ranks(judge), ranks(human)) end
    return weighted_kappa(judge, human, p.min, p.max)
  end,
}
