-- SPDX-License-Identifier: MIT
-- intake_judge: a rule-based stand-in for the LLM judge of the
-- patient-intake suites, so that llm_judge runs offline and the same way
-- every time. It is not a language model: it answers the llm_judge prompt
-- by rules, reading the record to grade from the prompt and the gold
-- record and transcript from the sample, and grades three properties:
--
--   formatting            5: one JSON object with exactly the record's
--                         keys and types; 4: the keys, with a wrong type
--                         or an extra key; 3: the keys, but the object
--                         sits in other text; 2: an object missing keys;
--                         1: no JSON object
--   history_completeness  the share of the gold complaints (chief and
--                         secondary) that the record's complaints cover
--   relevance             the share of the record's complaints that the
--                         transcript supports (invented ones lower it)
--
-- A complaint covers another when at least half of the other's content
-- words (all its words, if it has only common ones) are among its own. Shares become grades as 1 + floor(4 x share
-- + 0.5).
--
--   ys.intake_judge { [gold = "gold"] [, transcript = "transcript"] }
local ys = require "yardstick"

local OPTIONS = { gold = true, transcript = true, concurrency = true }

local KEYS = { first_name = "string", last_name = "string",
               age = "number", gender = "string",
               chief_complaint = "string", secondary_complaints = "table" }

local STOP = {}
for w in ([[a an and for hx history in of on or the to with right left
  follow up]]):gmatch("%S+") do
  STOP[w] = true
end

-- The set and list of a text's words, without those of STOP unless
-- nothing else is left ("follow up").
local function content(text)
  local words = ys.words(ys.casefold(text))
  local set, list = {}, {}
  for pass = 1, 2 do
    for _, w in ipairs(words) do
      if (pass == 2 or not STOP[w]) and not set[w] then
        set[w] = true
        list[#list + 1] = w
      end
    end
    if #list > 0 then break end
  end
  return set, list
end

local function covers(have, item)
  local _, words = content(item)
  if #words == 0 then return false end
  local n = 0
  for _, w in ipairs(words) do
    if have[w] then n = n + 1 end
  end
  return n * 2 >= #words
end

local function grade(share)
  return 1 + math.floor(4 * share + 0.5)
end

local function is_object(v)
  return type(v) == "table" and getmetatable(v) == nil
end

-- The record's complaints, as a list of texts.
local function complaints(rec)
  local out = {}
  if type(rec.chief_complaint) == "string" then
    out[#out + 1] = rec.chief_complaint
  end
  if type(rec.secondary_complaints) == "table" then
    for _, c in ipairs(rec.secondary_complaints) do
      if type(c) == "string" then out[#out + 1] = c end
    end
  end
  return out
end

local function formatting(text)
  local whole = ys.json.decode(text)
  local rec = is_object(whole) and whole or ys.json.extract(text)
  if not is_object(rec) then return 1, "no JSON object" end
  local missing, wrong, extra = 0, 0, 0
  for k, t in pairs(KEYS) do
    local v = rec[k]
    if v == nil then
      missing = missing + 1
    elseif v ~= ys.json.null and type(v) ~= t then
      wrong = wrong + 1
    end
  end
  for k in pairs(rec) do
    if not KEYS[k] then extra = extra + 1 end
  end
  if missing > 0 then
    return 2, missing .. " of the record's keys missing"
  end
  if not is_object(whole) then return 3, "the object is inside other text" end
  if wrong + extra > 0 then
    return 4, wrong .. " wrong types, " .. extra .. " extra keys"
  end
  return 5, "one object with the record's keys and types"
end

local function completeness(rec, gold)
  local want = complaints(gold)
  if #want == 0 then return 5, "no complaints to cover" end
  local have = content(table.concat(complaints(rec), " "))
  local n = 0
  for _, c in ipairs(want) do
    if covers(have, c) then n = n + 1 end
  end
  return grade(n / #want), n .. " of " .. #want .. " complaints covered"
end

local function relevance(rec, transcript)
  local said = complaints(rec)
  if #said == 0 then return 1, "no complaints recorded" end
  local have = content(transcript)
  local n = 0
  for _, c in ipairs(said) do
    if covers(have, c) then n = n + 1 end
  end
  return grade(n / #said), n .. " of " .. #said
    .. " complaints supported by the transcript"
end

return function(opts)
  opts = opts or {}
  if type(opts) ~= "table" then
    error("expected a table of options { gold = ..., transcript = ... }", 0)
  end
  for k in pairs(opts) do
    if not OPTIONS[k] then
      error("unknown option '" .. tostring(k) .. "' (expected gold, "
            .. "transcript, concurrency)", 0)
    end
  end
  local gold_field = opts.gold or "gold"
  local transcript_field = opts.transcript or "transcript"
  return {
    kind = "intake_judge",
    concurrency = opts.concurrency,
    chat = function(self, request)
      local prompt = request.messages[#request.messages].content
      local property = prompt:match("Property: ([%w_]+)")
      local text = prompt:match("Record to grade:\n<<<\n(.-)\n>>>\n")
      if not property or not text then
        return nil, "the prompt has no 'Property:' line or 'Record to "
          .. "grade:' block (intake_judge reads the suite's template)"
      end
      local s = request.sample
      local gold, transcript = s[gold_field], s[transcript_field]
      if not is_object(gold) or type(transcript) ~= "string" then
        return nil, "the sample needs an object '" .. gold_field
          .. "' and a text '" .. transcript_field .. "'"
      end
      local score, why
      if property == "formatting" then
        score, why = formatting(text)
      else
        local whole = ys.json.decode(text)
        local rec = is_object(whole) and whole or ys.json.extract(text)
        if not is_object(rec) then
          score, why = 1, "no record to read"
        elseif property == "history_completeness" then
          score, why = completeness(rec, gold)
        elseif property == "relevance" then
          score, why = relevance(rec, transcript)
        else
          return nil, "no rule for the property '" .. property .. "'"
        end
      end
      return ys.json.encode({ score = score, rationale = why })
    end,
  }
end
