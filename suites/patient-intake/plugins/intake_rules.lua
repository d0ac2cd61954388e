-- SPDX-License-Identifier: MIT
-- intake_rules: a rule-based intake extractor, the offline baseline of the
-- patient-intake suite. It reads an ACI-Bench visit transcript ("[doctor]
-- hi , brian . ...": lower case, blanks around punctuation) with a few
-- regular expressions and answers with the intake record as JSON:
-- first_name, last_name, age, gender, chief_complaint,
-- secondary_complaints, null where a rule finds nothing.
--
--   ys.intake_rules { [text = "transcript"] [, concurrency = N] }
--
-- It is deliberately simple, the kind of extractor a team has before it
-- tries a model: it finds what the doctor dictates in set phrases ("brian
-- is a 58 year old male with a past medical history significant for
-- ...") and misses the rest. An honest weak baseline, not a target.
local ys = require "yardstick"

local OPTIONS = { text = true, concurrency = true }

-- Words that follow "hi" or precede a surname but are not names.
local NOT_NAMES = {}
for w in ([[a about again all also and any are as at be been bit but can
  come dax do doctor does dr dragon everybody everyone fine for from gentlemen
  go going good great guys had has have he her here hey hi his how i i'm
  if in is it it's its just let's looks ma'am maam me miss mister mr mrs ms
  my nice no not now nurse of oh ok okay on one or our patient please
  pleasure so sir she that that's the their them then there they this
  to today uh um us was we well we're what when who will with yeah yes
  you your]]):gmatch("%S+") do
  NOT_NAMES[w] = true
end

local RX = {
  -- "patient shirley taylor ." "next patient is michelle king ,"
  -- "today i'm seeing christina cooper ." "this is matthew rogers ."
  full_name = ys.re.compile([=[\b(?:patient(?: is| name is)?|seeing|]=]
    .. [=[this is)\s*:?\s*,?\s+([a-z][a-z'-]+)\s+([a-z][a-z'-]+)\s*[,.]]=]),
  greeting = ys.re.compile([=[\b(?:hi|hello|hey|morning|afternoon|evening)]=]
    .. [=[\s*,?\s+([a-z][a-z'-]+)\b]=]),
  title = ys.re.compile([=[\b(?:mr|ms|mrs|miss|mister)\s*\.?\s+([a-z][a-z'-]+)]=]),
  age = ys.re.compile([=[\b(\d{1,3})\s*-?\s*years?\s*-?\s*old\b]=]),
  age_gender = ys.re.compile([=[\b\d{1,3}\s*-?\s*years?\s*-?\s*old\s+]=]
    .. [=[(?:[a-z-]+\s+){0,2}?(male|female|man|woman|gentleman|lady|boy|]=]
    .. [=[girl)\b]=]),
  he = ys.re.compile([=[\b(?:he|his|him|himself)\b]=]),
  she = ys.re.compile([=[\b(?:she|her|hers|herself)\b]=]),
  complaint = ys.re.compile([=[\b(?:here|presents|presenting|coming in|]=]
    .. [=[came in|comes in|in today|referred)(?:\s+today)?\s+(?:for|with)\s+]=]
    .. [=[((?:(?:a|an|some|his|her|the|evaluation of|complaints? of)\s+)*)]=]
    .. [=[([a-z][^.,?;]*)]=]),
  history = ys.re.compile([=[\bmedical history\s+(?:significant\s+|notable\s+)?]=]
    .. [=[(?:for|of)\s+([^.?\n]{1,120})]=]),
}

local FEMALE = { female = true, woman = true, lady = true, girl = true }

local function title_case(w)
  return (w:gsub("^%l", string.upper):gsub("%-(%l)", function(c)
    return "-" .. c:upper()
  end))
end

local function words_upto(s, n)
  local out = {}
  for w in s:gmatch("%S+") do
    if #out == n then break end
    out[#out + 1] = w
  end
  return table.concat(out, " ")
end

-- The doctor's lines only: what a patient says is not dictation.
local function doctor_text(t)
  local parts = {}
  for line in (t .. "\n"):gmatch("(.-)\n") do
    local who, said = line:match("^%[([%w_]+)%]%s*(.*)$")
    if who == "doctor" then parts[#parts + 1] = said end
  end
  return table.concat(parts, " \n ")
end

local function count(rx, s)
  local n, at = 0, 1
  while true do
    local i, j = rx:find(s, at)
    if not i then return n end
    n, at = n + 1, j + 1
  end
end

local function names(d)
  local first, last = ys.json.null, ys.json.null
  local f, l = RX.full_name:match(d)
  if f and not NOT_NAMES[f] and not NOT_NAMES[l] then
    first, last = title_case(f), title_case(l)
  end
  if first == ys.json.null then
    local at = 1
    while true do
      local i, j, g = RX.greeting:find(d, at)
      if not i then break end
      if not NOT_NAMES[g] then first = title_case(g) break end
      at = j + 1
    end
  end
  if last == ys.json.null then
    local t = RX.title:match(d)
    if t and not NOT_NAMES[t] and #t > 1 then last = title_case(t) end
  end
  return first, last
end

local function gender(d)
  local g = RX.age_gender:match(d)
  if g then return FEMALE[g] and "female" or "male" end
  local he, she = count(RX.he, d), count(RX.she, d)
  if he >= 3 and he >= 2 * she then return "male" end
  if she >= 3 and she >= 2 * he then return "female" end
  return ys.json.null
end

local function complaint(d)
  local _, c = RX.complaint:match(d)
  if not c then return ys.json.null end
  c = c:gsub("%s+today.*$", ""):gsub("%s+and%s+.*$", "")
  c = words_upto(c, 6)
  return c ~= "" and c or ys.json.null
end

-- "congestive heart failure and hypertension , who presents today ..."
local function history(d)
  local items = ys.json.decode("[]")   -- an empty list encodes as []
  local h = RX.history:match(d)
  if not h then return items end
  h = h:gsub("%s*,?%s+who%s.*$", ""):gsub("%s*,?%s+presents?%s.*$", "")
       :gsub("%s*,?%s+here%s.*$", "")
  h = h:gsub("%s+and%s+", " , ")
  for item in h:gmatch("[^,]+") do
    item = item:gsub("^%s+", ""):gsub("%s+$", "")
      :gsub("^a%s+", ""):gsub("^history of%s+", "")
    if item ~= "" and #items < 5 then items[#items + 1] = words_upto(item, 5) end
  end
  return items
end

return function(opts)
  opts = opts or {}
  if type(opts) ~= "table" then
    error("expected a table of options { text = ... }", 0)
  end
  for k in pairs(opts) do
    if not OPTIONS[k] then
      error("unknown option '" .. tostring(k) .. "' (expected text, "
            .. "concurrency)", 0)
    end
  end
  local field = opts.text or "transcript"
  return {
    kind = "intake_rules",
    concurrency = opts.concurrency,
    chat = function(self, request)
      local t = request.sample[field]
      if type(t) ~= "string" then
        return nil, "sample has no string field '" .. field .. "'"
      end
      local d = doctor_text(t:lower())
      local first, last = names(d)
      local age = tonumber(RX.age:match(d) or "")
      local record = {
        first_name = first, last_name = last,
        age = (age and age <= 120) and age or ys.json.null,
        gender = gender(d),
        chief_complaint = complaint(d),
        secondary_complaints = history(d),
      }
      return ys.json.encode(record)
    end,
  }
end
