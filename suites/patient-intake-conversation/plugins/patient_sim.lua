-- SPDX-License-Identifier: MIT
-- patient_sim: a rule-based patient for the intake conversation suite, the
-- offline stand-in for a patient-simulator model. It plays the patient
-- whose facts are in the sample (first_name, last_name, age, gender,
-- chief_complaint, secondary_complaints) and answers the intake bot's
-- last message by keywords: each topic the message asks about gets one
-- sentence, in the order asked. It never volunteers anything, says so
-- when it does not understand, and says it does not know a fact its
-- record lacks.
--
--   ys.patient_sim { [facts = "patient"] }
--
-- It is not a language model: an intake bot that asks plainly gets plain
-- answers, which makes it a fair test of what a bot asks, not of how well
-- it understands people.
local ys = require "yardstick"

local OPTIONS = { facts = true, concurrency = true }

local function present(v)
  return v ~= nil and v ~= ys.json.null and v ~= ""
end

local function list_text(items)
  if #items == 1 then return items[1] end
  return table.concat(items, ", ", 1, #items - 1) .. " and " .. items[#items]
end

-- Topics in the order they are looked for; each has its cue words (Lua
-- patterns over the lower-cased question) and its answer.
local TOPICS = {
  { "name", { "name", "who am i speaking", "call you" },
    function(f)
      if present(f.first_name) and present(f.last_name) then
        return "My name is " .. f.first_name .. " " .. f.last_name .. "."
      elseif present(f.first_name) then
        return "I'm " .. f.first_name .. "."
      elseif present(f.last_name) then
        return "My last name is " .. f.last_name .. "."
      end
      return "I'd rather not give my name."
    end },
  { "age", { "age", "how old", "year of birth", "date of birth", "born" },
    function(f)
      if present(f.age) then return "I'm " .. f.age .. "." end
      return "I'm not sure I want to say."
    end },
  { "gender", { "gender", "sex", "male or female", "identify as" },
    function(f)
      if present(f.gender) then return "I'm " .. f.gender .. "." end
      return "I'd rather not say."
    end },
  { "complaint", { "brings? you", "reason", "what can i do", "how can i help",
                   "what's going on", "what is going on", "main concern",
                   "why are you here", "what happened", "chief complaint",
                   "problem today", "here for" },
    function(f)
      if present(f.chief_complaint) then
        return "I'm here for " .. f.chief_complaint .. "."
      end
      return "I'm not really sure why I was sent."
    end },
  { "other", { "anything else", "other", "medical history", "conditions",
               "history of", "also have" },
    function(f)
      local items = f.secondary_complaints
      if type(items) == "table" and #items > 0 then
        return "I also have " .. list_text(items) .. "."
      end
      return "No, nothing else."
    end },
}

return function(opts)
  opts = opts or {}
  if type(opts) ~= "table" then
    error("expected a table of options { facts = ... }", 0)
  end
  for k in pairs(opts) do
    if not OPTIONS[k] then
      error("unknown option '" .. tostring(k) .. "' (expected facts, "
            .. "concurrency)", 0)
    end
  end
  local field = opts.facts or "patient"
  return {
    kind = "patient_sim",
    concurrency = opts.concurrency,
    chat = function(self, request)
      local facts = request.sample[field]
      if type(facts) ~= "table" then
        return nil, "the sample has no object '" .. field .. "'"
      end
      local asked = request.messages[#request.messages].content:lower()
      local found = {}
      for _, topic in ipairs(TOPICS) do
        local at
        for _, cue in ipairs(topic[2]) do
          local i = asked:find(cue)
          if i and (not at or i < at) then at = i end
        end
        if at then found[#found + 1] = { at = at, answer = topic[3] } end
      end
      if #found == 0 then return "Sorry, I don't follow." end
      table.sort(found, function(a, b) return a.at < b.at end)
      local out = {}
      for i, t in ipairs(found) do out[i] = t.answer(facts) end
      return table.concat(out, " ")
    end,
  }
end
