#!/bin/sh
# SPDX-License-Identifier: MIT
# A default evaluation by a backend written in C (replay) skips the Lua
# task. Both ways must give the same results: every replay case (a string
# field, a structured or missing field, recorded outputs with and without
# token counts, recorded errors, a missing record, a price, a system
# prompt) is run both ways and the files compared, timings aside; and a
# suite with an evaluate function or a prompt function, or a replay
# whose chat was wrapped, keeps the Lua way.
. "${YS_SRCDIR:-.}/tests/setup"
cd "$TMP"

cat > data.jsonl <<'JSON'
{"id": "a", "q": "What is 2+2?", "gold": "4", "label": "4"}
{"id": "b", "q": "Capital of France?", "gold": "Paris", "label": "paris"}
{"id": "c", "q": "Colour of the sky?", "gold": "blue", "label": {"colour": "blue"}}
{"id": "d", "q": "Largest planet?", "gold": "Jupiter"}
{"id": "e", "q": "H2O is?", "gold": "water", "label": 42}
{"id": "f", "q": "Opposite of up?", "gold": "down", "label": "down", "label": "Down"}
JSON
cat > recorded.jsonl <<'JSON'
{"id": "a", "output": "4", "usage": {"input_tokens": 12, "output_tokens": 1}}
{"id": "b", "output": "Paris", "usage": {"input_tokens": 9}}
{"id": "c", "status": "error", "error": "rate limited"}
{"id": "d", "output": {"answer": "Jupiter"}}
{"id": "e", "output": "water", "usage": {"input_tokens": -3, "output_tokens": 1e13}}
JSON
cat > suite.lua <<'LUA'
local ys = require "yardstick"
return ys.suite {
  name = "direct",
  dataset = ys.jsonl "data.jsonl",
  prompt = { system = "Answer in one word.", user = "Q: {{q}}" },
  models = {
    field = ys.replay { field = "label", price = { input = 1, output = 2 } },
    file = ys.replay { file = "recorded.jsonl" },
  },
  metrics = {
    ys.metric "exact_match" { expected = "gold", ignore_case = true },
    ys.metric "length" {},
  },
}
LUA

# Drops what varies between runs (timings, the run's name).
strip_lines() { jq -c 'del(.latency_ms, .elapsed_ms)' "$1"; }
strip_summary() {
  jq -S 'del(.run_id, .models[].latency_ms, .models[].elapsed_ms)' "$1"
}

both_ways() { # NAME SUITE [OPTIONS]: runs it directly and in Lua, compares
  n=$1 suite=$2
  shift 2
  run_ys "$n direct" run "$suite" -q -o "$n-direct" "$@"
  rc_direct=$RC
  YARDSTICK_LUA_TASKS=1 run_ys "$n lua" run "$suite" -q -o "$n-lua" "$@"
  [ "$RC" = "$rc_direct" ] || fail "$n: exit $rc_direct directly, $RC in Lua"
  strip_lines "$n-direct/samples.jsonl" > "$n.direct.lines"
  strip_lines "$n-lua/samples.jsonl" > "$n.lua.lines"
  cmp -s "$n.direct.lines" "$n.lua.lines" ||
    fail "$n: samples.jsonl differs: $(diff "$n.direct.lines" "$n.lua.lines" | head -6)"
  strip_summary "$n-direct/summary.json" > "$n.direct.summary"
  strip_summary "$n-lua/summary.json" > "$n.lua.summary"
  cmp -s "$n.direct.summary" "$n.lua.summary" ||
    fail "$n: summary.json differs: $(diff "$n.direct.summary" "$n.lua.summary" | head -6)"
}

both_ways replay suite.lua
# The cases are the ones meant: some tasks answered, some failed.
[ "$(jq -s 'map(select(.status == "ok")) | length' replay-direct/samples.jsonl)" = 9 ] ||
  fail "replay: 9 answered tasks expected: $(cat replay.direct.lines)"
grep -q '"id":"c","model":"file","status":"error","error":"replay: recorded error: rate limited"' replay.direct.lines ||
  fail "replay: the recorded error"
grep -q '"id":"d","model":"field","status":"error","error":"replay: the sample has no field' replay.direct.lines ||
  fail "replay: the missing field"
grep -q '"id":"f","model":"field","status":"ok","output":"Down"' replay.direct.lines ||
  fail "replay: a repeated key is read as Lua reads it (the last)"
grep -q '"id":"a","model":"file".*"input_tokens":12,"output_tokens":1,"cache_hits":0}' replay.direct.lines ||
  fail "replay: recorded token counts"

# --repeat and a replay of a file with a missing record.
sed 's/"e", "output": "water"/"x", "output": "water"/' recorded.jsonl > recorded2.jsonl
sed 's/recorded.jsonl/recorded2.jsonl/' suite.lua > suite2.lua
both_ways missing suite2.lua --repeat 2
grep -q "no recorded output for id 'e'" missing-direct/samples.jsonl ||
  fail "missing record: $(grep '"e"' missing-direct/samples.jsonl)"

# Suites that need the Lua task keep it: an evaluate function, a prompt
# function and a wrapped chat each see their own effect.
cat > evaluate.lua <<'LUA'
local ys = require "yardstick"
return ys.suite {
  name = "evaluate",
  dataset = ys.jsonl "data.jsonl",
  prompt = "Q: {{q}}",
  models = { file = ys.replay { file = "recorded.jsonl" } },
  evaluate = function(sample, model, ctx)
    local text = model:chat(ctx.messages)
    return text .. "!"
  end,
  metrics = { ys.metric "length" {} },
}
LUA
run_ys evaluate run evaluate.lua -q -o evaluate
grep -q '"id":"a","model":"file","status":"ok","output":"4!"' evaluate/samples.jsonl ||
  fail "evaluate: not called: $(head -1 evaluate/samples.jsonl)"
cat > wrapped.lua <<'LUA'
local ys = require "yardstick"
local r = ys.replay { file = "recorded.jsonl" }
local chat = r.chat
r.chat = function(self, req)
  local rep = chat(self, req)
  rep.text = rep.text .. "?"
  return rep
end
return ys.suite {
  name = "wrapped",
  dataset = ys.jsonl "data.jsonl",
  prompt = "Q: {{q}}",
  models = { file = r },
  metrics = { ys.metric "length" {} },
}
LUA
run_ys wrapped run wrapped.lua -q -o wrapped
grep -q '"id":"a","model":"file","status":"ok","output":"4?"' wrapped/samples.jsonl ||
  fail "wrapped chat: not called: $(head -1 wrapped/samples.jsonl)"
both_ways wrapped wrapped.lua

done_tests
