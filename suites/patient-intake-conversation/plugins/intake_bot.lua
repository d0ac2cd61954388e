-- SPDX-License-Identifier: MIT
-- intake_bot: rule-based intake bots for the intake conversation suite,
-- the offline stand-ins for the chatbot under test. A bot is stateless:
-- it reads the conversation so far (its own questions are the assistant
-- messages, the patient's answers the user messages), asks its next
-- question, and when it has asked them all (or is told the interview is
-- over) answers with the intake record as one JSON object.
--
--   ys.intake_bot { style = "checklist" | "open" }
--
-- checklist  asks for each field in turn: name, age, gender, the reason
--            for the visit, other problems (the "after" of the study)
-- open       asks only what brings the patient in and whether anything
--            else is going on (the "before": a bot that forgets the rest)
--
-- Answers are read with a few patterns; a patient who rambles defeats
-- them, as it would a real rule-based bot.
local ys = require "yardstick"

local OPTIONS = { style = true, concurrency = true }

local QUESTIONS = {
  checklist = {
    { "name", "Hello, I'll take a few details before you see the doctor. "
              .. "What is your full name?" },
    { "age", "Thank you. How old are you?" },
    { "gender", "What is your gender?" },
    { "complaint", "What brings you in today?" },
    { "other", "Do you have any other problems or medical conditions?" },
  },
  open = {
    { "complaint", "Hello, what brings you in today?" },
    { "other", "Is there anything else going on, or other conditions I "
               .. "should know about?" },
  },
}

local function trim(s)
  return (s:gsub("^%s+", ""):gsub("[%s.!]+$", ""))
end

local READ = {
  name = function(r, a)
    if a:find("rather not") then return end
    local l = a:match("^[Mm]y last name is ([%a'-]+)")
    if l then r.last_name = l return end
    local s = a:gsub("^[Mm]y name is ", ""):gsub("^I'm ", ""):gsub("^I am ", "")
    local first, last = s:match("^([%a'-]+)%s+([%a'-]+)")
    if not first then first = s:match("^([%a'-]+)") end
    if first and first:match("^%u") then
      r.first_name = first
      if last and last:match("^%u") then r.last_name = last end
    end
  end,
  age = function(r, a)
    local n = tonumber(a:match("%d+") or "")
    if n and n <= 120 then r.age = n end
  end,
  gender = function(r, a)
    local s = " " .. a:lower() .. " "
    if s:find("[^%a]female[^%a]") or s:find("[^%a]woman[^%a]") then
      r.gender = "female"
    elseif s:find("[^%a]male[^%a]") or s:find("[^%a]man[^%a]") then
      r.gender = "male"
    end
  end,
  complaint = function(r, a)
    local s = trim(a):gsub("^I'm here for ", ""):gsub("^I am here for ", "")
      :gsub("^I came in for ", ""):gsub("^[Bb]ecause of ", "")
    if s ~= "" then r.chief_complaint = s:lower() end
  end,
  other = function(r, a)
    local s = trim(a)
    if s:lower():match("^no") then return end
    s = s:gsub("^I also have ", ""):gsub("^I have ", "")
    s = s:gsub(",? and ", ", ")
    for item in s:gmatch("[^,]+") do
      item = trim(item)
      if item ~= "" then
        r.secondary_complaints[#r.secondary_complaints + 1] = item:lower()
      end
    end
  end,
}

return function(opts)
  if type(opts) ~= "table" or not QUESTIONS[opts.style] then
    error("expected { style = \"checklist\" } or { style = \"open\" }", 0)
  end
  for k in pairs(opts) do
    if not OPTIONS[k] then
      error("unknown option '" .. tostring(k) .. "' (expected style, "
            .. "concurrency)", 0)
    end
  end
  local questions = QUESTIONS[opts.style]
  return {
    kind = "intake_bot",
    concurrency = opts.concurrency,
    chat = function(self, request)
      -- Pair each question asked with the answer after it.
      local asked, answers = 0, {}
      for _, m in ipairs(request.messages) do
        if m.role == "assistant" then
          asked = asked + 1
        elseif m.role == "user" and asked > 0 and not answers[asked] then
          answers[asked] = m.content
        end
      end
      -- The suite's last word, when the bot ran out of turns.
      local last = request.messages[#request.messages].content
      local over = last:find("The interview is over", 1, true) ~= nil
      if asked < #questions and not over then
        return questions[asked + 1][2]
      end
      local r = { first_name = ys.json.null, last_name = ys.json.null,
                  age = ys.json.null, gender = ys.json.null,
                  chief_complaint = ys.json.null,
                  secondary_complaints = ys.json.decode("[]") }
      for i = 1, math.min(asked, #questions) do
        if answers[i] then READ[questions[i][1]](r, answers[i]) end
      end
      return ys.json.encode(r)
    end,
  }
end
