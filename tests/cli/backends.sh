#!/bin/sh
# SPDX-License-Identifier: MIT
# The model backends against real processes: the OpenAI and Anthropic
# plugins against the test server, every retry rule, errors that stop a
# run, local_server with a real server command, exec workers, the response
# cache, repeats, and that an API key never lands in anything a run writes.
. "${YS_SRCDIR:-.}/tests/setup"
cd "$TMP"

# data N: N rows whose prompt carries the answer (and any FAULT lines).
data() {
  : > data.jsonl
  _i=1
  while [ "$_i" -le "$1" ]; do
    printf '{"id": "s%02d", "title": "item %d", "expected": "cat%d", "extra": ""}\n' \
      "$_i" "$_i" $((_i % 3)) >> data.jsonl
    _i=$((_i + 1))
  done
}

# suite FILE MODEL-EXPR [PROMPT] [EXTRA]: a suite over data.jsonl.
suite() {
  _pr=${3:-}
  [ -n "$_pr" ] || _pr='"Classify {{title}}\nANSWER: {{expected}}\n{{extra}}"'
  cat > "$1" <<LUA
local ys = require "yardstick"
return ys.suite {
  name = "b",
  dataset = ys.jsonl "data.jsonl",
  prompt = $_pr,
  models = { m = $2 },
  metrics = { ys.metric "exact_match" },
  ${4:-}
}
LUA
}

# set_extra ID TEXT: puts TEXT (FAULT directives) into row ID's prompt.
set_extra() {
  jq -c --arg id "$1" --arg x "$2" 'if .id == $id then .extra = $x else . end' \
    data.jsonl > data.tmp && mv data.tmp data.jsonl
}

start_server
FAST='retry_base = 0.01, retry_cap = 0.05, timeout = 2'

# {====== OpenAI-compatible: answers, tokens, transport counts ======
data 20
suite ok.lua "ys.openai { base_url = \"$SERVER/v1\", model = \"t\" }"
run_ys openai run ok.lua -q -o ok -j 8 --no-cache
expect_rc "openai" 0 || true
[ "$(json '.models[0].metrics.exact_match.value' ok/summary.json)" = 1 ] || fail "openai: not all right"
[ "$(json '.http.attempts' ok/summary.json)" = 20 ] || fail "openai: attempts"
[ "$(jq -r 'select(.id == "s01") | "\(.usage.input_tokens) \(.usage.output_tokens) \(.usage.estimated_tokens)"' ok/samples.jsonl)" = "5 1 null" ] ||
  fail "openai: tokens from usage: $(head -1 ok/samples.jsonl)"
# A count no call can have (9e18, inf) is estimated like a missing one:
# it would overflow the sums or not fit a long at all (found by fuzzing).
suite counts.lua 'ys.model { chat = function(self, r) return { text = "abcdefg",
  input_tokens = 9e18, output_tokens = math.huge } end }'
run_ys huge-tokens run counts.lua -q -o counts --no-cache
expect_rc "huge tokens" 0 || true
[ "$(jq -r 'select(.id == "s01") | "\(.usage.input_tokens) \(.usage.output_tokens) \(.usage.estimated_tokens)"' counts/samples.jsonl)" = "8 2 true" ] ||
  fail "huge tokens: not estimated: $(head -1 counts/samples.jsonl)"
# }======

# {====== retries ======
data 14
set_extra s01 'FAULT:500:2'
set_extra s02 'FAULT:429:1'
set_extra s03 'FAULT:503:9'
set_extra s04 'FAULT:400'
set_extra s05 'FAULT:stall:1'
set_extra s06 'FAULT:truncated:1'
set_extra s07 'FAULT:malformed:1'
set_extra s08 'FAULT:html:1'
set_extra s09 'FAULT:close:1'
set_extra s10 'FAULT:nousage'
set_extra s11 'FAULT:429date:1'
set_extra s12 'FAULT:404'
set_extra s13 'FAULT:408:1'
set_extra s14 'FAULT:409:1'
suite retry.lua "ys.openai { base_url = \"$SERVER/v1\", model = \"t\", retries = 3, $FAST }" "" 'max_error_rate = 1,'
curl -s -X POST "$SERVER/stats/reset" >/dev/null
t0=$(date +%s%N)
run_ys retries run retry.lua -q -o retry -j 14 --no-cache
t1=$(date +%s%N)
expect_rc "retries" 0 || true
st() { jq -r --arg id "$1" 'select(.id == $id) | if .status == "ok" then "ok" else .error end' retry/samples.jsonl; }
[ "$(st s01)" = ok ] || fail "500 twice then ok: $(st s01)"
[ "$(st s02)" = ok ] || fail "429 with Retry-After then ok: $(st s02)"
[ "$(st s11)" = ok ] || fail "429 with an HTTP-date Retry-After then ok: $(st s11)"
case "$(st s03)" in "HTTP 503 from $SERVER/v1/chat/completions: "*) ;; *) fail "503 until retries run out: $(st s03)" ;; esac
case "$(st s04)" in "HTTP 400 from "*) ;; *) fail "400 is not retried: $(st s04)" ;; esac
case "$(st s12)" in "HTTP 404 from "*) ;; *) fail "404 is not retried: $(st s12)" ;; esac
[ "$(st s05)" = ok ] || fail "a stall past the timeout is retried: $(st s05)"
[ "$(st s06)" = ok ] || fail "a truncated body is retried: $(st s06)"
case "$(st s07)" in "malformed response from "*) ;; *) fail "malformed body: $(st s07)" ;; esac
case "$(st s08)" in "malformed response from "*) ;; *) fail "HTML body: $(st s08)" ;; esac
[ "$(st s09)" = ok ] || fail "a closed connection is retried: $(st s09)"
[ "$(st s13)" = ok ] || fail "408 is retried: $(st s13)"
[ "$(st s14)" = ok ] || fail "409 is retried: $(st s14)"
[ "$(jq -r 'select(.id == "s10") | .usage.estimated_tokens' retry/samples.jsonl)" = true ] ||
  fail "no usage: tokens estimated and marked"
# Retry-After: 1 second was waited for (twice, in parallel).
[ $(( (t1 - t0) / 1000000 )) -ge 1000 ] || fail "Retry-After not honoured"
# Attempts: 14 first tries; retries: 2 (s01) + 1 (s02) + 3 (s03) + 1 each
# for s05 s06 s09 s11 s13 s14 = 12. The server saw every one.
[ "$(json '.http.attempts' retry/summary.json)" = 26 ] || fail "attempts: $(json .http retry/summary.json)"
[ "$(json '.http.retries' retry/summary.json)" = 12 ] || fail "retries: $(json .http retry/summary.json)"
[ "$(server_stat .requests)" = 26 ] || fail "the server saw $(server_stat .requests) requests, yardstick counted 26"
[ "$(json '.models[0].errors' retry/summary.json)" = 5 ] || fail "errors: $(json '.models[0].errors' retry/summary.json)"
# A response over the cap fails the call, without retrying.
data 1
set_extra s01 'FAULT:huge:3000000'
suite huge.lua "ys.openai { base_url = \"$SERVER/v1\", model = \"t\", max_response_bytes = 1000000, $FAST }" "" 'max_error_rate = 1,'
run_ys huge run huge.lua -q -o huge --no-cache
case "$(jq -r .error huge/samples.jsonl)" in *"is larger than 1000000 bytes"*) ;; *) fail "huge: $(jq -r .error huge/samples.jsonl)" ;; esac
# }======

# {====== errors that stop the run ======
start_server --require-key sekrit-key-123
data 50
suite auth.lua "ys.openai { base_url = \"$SERVER/v1\", model = \"t\" }"
run_ys 401 run auth.lua -q -o auth -j 4 --no-cache
expect_rc "401 stops the run" 3 || true
[ "$(cat "$TMP/err")" = "yardstick: 401 from $SERVER/v1/chat/completions: check OPENAI_API_KEY (it is not set); after fixing this, continue with: yardstick run --resume auth" ] ||
  fail "401: message: $(cat "$TMP/err")"
[ "$(server_stat .requests)" -le 8 ] || fail "401: $(server_stat .requests) requests sent before stopping"
[ "$(json .status auth/manifest.json)" = failed ] || fail "401: manifest status"
OPENAI_API_KEY=sekrit-key-123 run_ys key run auth.lua -q -o authok -j 4 --no-cache
expect_rc "the right key" 0 || true
# The key never lands in what a run writes or prints.
OPENAI_API_KEY=sekrit-key-123 run_ys key run auth.lua -o authlog -j 4 --cache "$TMP/keycache.db"
if grep -rqa "sekrit-key-123" authok authlog "$TMP/out" "$TMP/err" "$TMP"/keycache.db* ; then
  fail "the API key was written somewhere: $(grep -rla sekrit-key-123 authok authlog "$TMP/out" "$TMP/err" "$TMP"/keycache.db*)"
fi
[ "$(jq -s length authlog/samples.jsonl)" = 50 ] || fail "key: the run did not run"
# A plugin's transport (ys.http.transport): made once, it keeps its own
# copy of the options, so changing the table afterwards changes nothing;
# its auth header goes out on every request.
cat > transport.lua <<LUA
local ys = require "yardstick"
local opts = { url = "$SERVER/v1/chat/completions", cache_as = "custom",
               headers = { ["Content-Type"] = "application/json" },
               auth = { env = "MY_KEY", header = "Authorization",
                        prefix = "Bearer " } }
local transport = ys.http.transport(opts)
opts.url = "http://127.0.0.1:1/nowhere"
opts.auth = nil
return ys.suite {
  name = "t",
  dataset = ys.jsonl "data.jsonl",
  prompt = "Classify {{title}}\nANSWER: {{expected}}\n{{extra}}",
  models = { m = ys.model { chat = function(self, request)
    local resp = assert(ys.http.request(transport, ys.json.encode {
      model = "t", messages = request.messages }))
    if resp.status ~= 200 then error("HTTP " .. resp.status, 0) end
    return ys.json.decode(resp.body).choices[1].message.content
  end } },
  metrics = { ys.metric "exact_match" },
}
LUA
MY_KEY=sekrit-key-123 run_ys transport run transport.lua -q -o transport -j 4 --no-cache
expect_rc "transport" 0 || true
[ "$(json '.models[0].metrics.exact_match.value' transport/summary.json)" = 1 ] ||
  fail "transport: $(jq -r .error transport/samples.jsonl | head -1)"

# A server that is not there: one error, quickly.
port=$(( 20000 + $$ % 20000 ))
suite refused.lua "ys.openai { base_url = \"http://127.0.0.1:$port/v1\", model = \"t\", retries = 2, $FAST }"
run_ys refused run refused.lua -q -o refused --no-cache
expect_rc "connection refused" 3 || true
case "$(cat "$TMP/err")" in
  "yardstick: cannot connect to http://127.0.0.1:$port/v1/chat/completions: "*"(after 3 attempts); after fixing this, continue with: yardstick run --resume refused") ;;
  *) fail "connection refused: $(cat "$TMP/err")" ;;
esac
[ "$(wc -l < "$TMP/err")" -eq 1 ] || fail "connection refused: more than one line"
# TLS to a server that does not speak it: one error.
suite tls.lua "ys.openai { base_url = \"https://${SERVER#http://}/v1\", model = \"t\", $FAST }"
run_ys tls run tls.lua -q -o tls --no-cache
expect_rc "TLS failure" 3 || true
case "$(cat "$TMP/err")" in "yardstick: https://"*) ;; *) fail "TLS: $(cat "$TMP/err")" ;; esac
# A host that cannot be resolved: one error.
suite dns.lua "ys.openai { base_url = \"http://no-such-host.invalid/v1\", model = \"t\", connect_timeout = 3, $FAST }"
run_ys dns run dns.lua -q -o dns --no-cache
expect_rc "DNS failure" 3 || true
case "$(cat "$TMP/err")" in "yardstick: http://no-such-host.invalid/v1/chat/completions: "*) ;; *) fail "DNS: $(cat "$TMP/err")" ;; esac
stop_servers
start_server
# }======

# {====== Anthropic ======
data 6
suite anth.lua "ys.anthropic { base_url = \"$SERVER\", model = \"claude-t\", api_key_env = \"TEST_ANTHROPIC_KEY\" }" \
  '{ system = "You classify.", user = "Classify {{title}}\nANSWER: {{expected}}" }'
run_ys anthropic run anth.lua -q -o anth --no-cache
expect_rc "anthropic" 0 || true
[ "$(json '.models[0].metrics.exact_match.value' anth/summary.json)" = 1 ] || fail "anthropic: not all right"
[ "$(jq -r 'select(.id == "s01") | .usage.output_tokens' anth/samples.jsonl)" = 1 ] || fail "anthropic: tokens"
# }======

# {====== the response cache ======
data 10
suite cache.lua "ys.openai { base_url = \"$SERVER/v1\", model = \"t\" }"
curl -s -X POST "$SERVER/stats/reset" >/dev/null
run_ys cold run cache.lua -q -o cold --cache "$TMP/c.db"
[ "$(server_stat .requests)" = 10 ] || fail "cache: cold run sent $(server_stat .requests)"
run_ys warm run cache.lua -q -o warm --cache "$TMP/c.db"
expect_rc "warm cache" 0 || true
[ "$(server_stat .requests)" = 10 ] || fail "cache: warm run went to the server"
[ "$(jq -s 'map(.usage.cache_hits) | add' warm/samples.jsonl)" = 10 ] || fail "cache: hits not marked"
a=$(jq -c 'del(.latency_ms, .elapsed_ms, .usage.cache_hits)' cold/samples.jsonl)
b=$(jq -c 'del(.latency_ms, .elapsed_ms, .usage.cache_hits)' warm/samples.jsonl)
[ "$a" = "$b" ] || fail "cache: warm results differ from cold"
# Another model (another body) never shares an entry.
suite cache2.lua "ys.openai { base_url = \"$SERVER/v1\", model = \"t2\" }"
run_ys other-model run cache2.lua -q -o cache2 --cache "$TMP/c.db"
[ "$(server_stat .requests)" = 20 ] || fail "cache: another model was served from the cache"
# Nor another temperature.
suite cache3.lua "ys.openai { base_url = \"$SERVER/v1\", model = \"t\", temperature = 0.5 }"
run_ys other-params run cache3.lua -q -o cache3 --cache "$TMP/c.db"
[ "$(server_stat .requests)" = 30 ] || fail "cache: other sampling parameters shared entries"
# --cache-only: hits are fine, misses fail without network.
run_ys cache-only run cache.lua -q -o only --cache "$TMP/c.db" --cache-only
expect_rc "--cache-only, all cached" 0 || true
run_ys cache-only-miss run cache.lua -q -o only2 --cache "$TMP/empty.db" --cache-only
expect_rc "--cache-only, nothing cached" 3 || true
[ "$(jq -r .error only2/samples.jsonl | sort -u)" = "not in the response cache (--cache-only)" ] ||
  fail "--cache-only miss: $(jq -r .error only2/samples.jsonl | sort -u)"
[ "$(server_stat .requests)" = 30 ] || fail "--cache-only went to the network"
# Errors are never cached.
data 2
set_extra s01 'FAULT:malformed:1'
suite errcache.lua "ys.openai { base_url = \"$SERVER/v1\", model = \"t\", $FAST }" "" 'max_error_rate = 1,'
run_ys err1 run errcache.lua -q -o err1 --cache "$TMP/e.db"
run_ys err2 run errcache.lua -q -o err2 --cache "$TMP/e.db"
[ "$(jq -r 'select(.id == "s01") | .status' err2/samples.jsonl)" = ok ] || fail "cache: an error was cached"
# Concurrent runs share one cache.
data 200
suite conc.lua "ys.openai { base_url = \"$SERVER/v1\", model = \"conc\" }"
ys run conc.lua -q -o conc1 --cache "$TMP/shared.db" -j 16 > /dev/null 2>"$TMP/c1.err" & p1=$!
ys run conc.lua -q -o conc2 --cache "$TMP/shared.db" -j 16 > /dev/null 2>"$TMP/c2.err" & p2=$!
wait $p1 || fail "concurrent cache: run 1 failed: $(cat "$TMP/c1.err")"
wait $p2 || fail "concurrent cache: run 2 failed: $(cat "$TMP/c2.err")"
run_ys conc3 run conc.lua -q -o conc3 --cache "$TMP/shared.db"
[ "$(jq -s 'map(.usage.cache_hits) | add' conc3/samples.jsonl)" = 200 ] || fail "concurrent cache: entries lost"
# }======

# {====== repeats ======
data 3
suite rep.lua "ys.openai { base_url = \"$SERVER/v1\", model = \"t\" }"
curl -s -X POST "$SERVER/stats/reset" >/dev/null
run_ys repeat run rep.lua -q -o rep --repeat 3 --cache "$TMP/r.db"
expect_rc "--repeat" 0 || true
[ "$(jq -r '"\(.id)/\(.repeat)"' rep/samples.jsonl | tr '\n' ' ')" = "s01/1 s01/2 s01/3 s02/1 s02/2 s02/3 s03/1 s03/2 s03/3 " ] ||
  fail "repeat: lines"
[ "$(server_stat .requests)" = 9 ] || fail "repeat: repeats shared cache entries"
# }======

# {====== an LLM judge as a helper ======
# The judge is the test server too: its template carries the verdict on an
# ANSWER: line, so the test knows every score.
cat > data.jsonl <<'JSON'
{"id": "j1", "title": "one", "expected": "cat1", "verdict": "{\"score\": 5, \"rationale\": \"clear\"}"}
{"id": "j2", "title": "two", "expected": "cat2", "verdict": "Score: 2 because it rambles"}
{"id": "j3", "title": "three", "expected": "cat3", "verdict": "I cannot grade this"}
JSON
cat > judge.lua <<LUA
local ys = require "yardstick"
return ys.suite {
  name = "judged",
  dataset = ys.jsonl "data.jsonl",
  prompt = "Classify {{title}}\nANSWER: {{expected}}",
  models = { cand = ys.openai { base_url = "$SERVER/v1", model = "cand" } },
  helpers = { judge = ys.openai { base_url = "$SERVER/v1", model = "judge",
                                  price = { input = 1, output = 2 } } },
  metrics = {
    ys.metric "exact_match",
    ys.metric "llm_judge" { judge = "judge",
      properties = { clarity = "the answer is clear" },
      template = "Grade {{output}}.\nANSWER: {{sample.verdict}}" },
  },
  max_error_rate = 0.5,
}
LUA
run_ys judge run judge.lua -q -o judged --no-cache
expect_rc "llm_judge" 0 || true
[ "$(jq -r '"\(.id) \(.scores["llm_judge.clarity"])"' judged/samples.jsonl | tr '\n' ' ')" = "j1 5 j2 2 j3 null " ] ||
  fail "judge: scores: $(jq -c .scores judged/samples.jsonl)"
[ "$(jq -r 'select(.id == "j1") | .details.llm_judge.clarity.rationale' judged/samples.jsonl)" = clear ] ||
  fail "judge: rationale"
case "$(jq -r 'select(.id == "j3") | .score_errors.llm_judge' judged/samples.jsonl)" in
  "metric 'llm_judge': the judge's reply has no score from 1 to 5: I cannot grade this") ;;
  *) fail "judge: a reply without a score: $(jq -c 'select(.id == "j3")' judged/samples.jsonl)" ;;
esac
[ "$(json '[.models[].name] | join(" ")' judged/summary.json)" = cand ] || fail "judge: the helper was evaluated"
[ "$(json '.helpers[0].usage.calls' judged/summary.json)" = 3 ] || fail "judge: helper usage: $(json .helpers judged/summary.json)"
[ "$(json '.models[0].judge_usage.calls' judged/summary.json)" = 3 ] || fail "judge: judge usage per model"
[ "$(jq -r 'select(.id == "j1") | .judge_usage.calls' judged/samples.jsonl)" = 1 ] || fail "judge: judge usage per sample"
[ "$(jq -r 'select(.id == "j1") | .usage.calls' judged/samples.jsonl)" = 1 ] || fail "judge: the candidate's usage includes the judge's"
# A judge that is not a model of the suite: caught at load.
sed 's/judge = "judge",/judge = "jduge",/' judge.lua > judge2.lua
run_ys judge-missing run judge2.lua -q -o judged2
expect_rc "llm_judge with an unknown judge" 2 || true
[ "$(cat "$TMP/err")" = "yardstick: judge2.lua:11: metric 'llm_judge': no model 'jduge' in the suite's models or helpers" ] ||
  fail "unknown judge: $(cat "$TMP/err")"
# }======

# {====== rate limits ======
# rpm = 600 allows 600 at once, then one every 0.1 s: 610 take about 1 s.
data 610
suite rpm.lua "ys.openai { base_url = \"$SERVER/v1\", model = \"rpm\", rpm = 600 }"
curl -s -X POST "$SERVER/stats/reset" >/dev/null
t0=$(date +%s%N)
run_ys rpm run rpm.lua -q -o rpm -j 64 --no-cache
t1=$(date +%s%N)
expect_rc "rpm" 0 || true
[ $(( (t1 - t0) / 1000000 )) -ge 900 ] || fail "rpm: 610 requests at 600 a minute took $(( (t1 - t0) / 1000000 )) ms"
[ "$(server_stat .requests)" = 610 ] || fail "rpm: requests"
# }======

# {====== local_server: a real server command ======
data 5
cat > local.lua <<LUA
local ys = require "yardstick"
return ys.suite {
  name = "local",
  dataset = ys.jsonl "data.jsonl",
  prompt = "Classify {{title}}\nANSWER: {{expected}}",
  models = { m = ys.local_server {
    cmd = { "sh", "-c", "echo \$\$ > $TMP/server.pid; exec '$YS_TESTSERVER' --port {port} --quiet" },
    health = "/health" } },
  metrics = { ys.metric "exact_match" },
}
LUA
run_ys local run local.lua -q -o local --no-cache
expect_rc "local_server" 0 || true
[ "$(json '.models[0].metrics.exact_match.value' local/summary.json)" = 1 ] || fail "local_server: not all right"
pid=$(cat "$TMP/server.pid")
sleep 0.2
kill -0 "$pid" 2>/dev/null && fail "local_server: the server still runs after the run"
# A server that dies before it is healthy: its last words in the error.
cat > dying.lua <<'LUA'
local ys = require "yardstick"
return ys.suite {
  name = "local",
  dataset = ys.jsonl "data.jsonl",
  prompt = "x",
  models = { m = ys.local_server { cmd = { "sh", "-c", "echo loading >&2; echo 'CUDA out of memory' >&2; exit 3 # {port}" } } },
  metrics = { ys.metric "exact_match" },
}
LUA
run_ys dying run dying.lua -q -o dying
expect_rc "local_server dies" 2 || true
[ "$(cat "$TMP/err")" = "yardstick: dying.lua:6: local_server: 'sh' exited with code 3 before it was healthy; it said: loading | CUDA out of memory" ] ||
  fail "local_server dies: $(cat "$TMP/err")"
# A server that never gets healthy: a timeout, and it is stopped.
cat > slowstart.lua <<LUA
local ys = require "yardstick"
return ys.suite {
  name = "local",
  dataset = ys.jsonl "data.jsonl",
  prompt = "x",
  models = { m = ys.local_server { startup_timeout = 1,
    cmd = { "sh", "-c", "echo \$\$ > $TMP/slow.pid; echo warming up >&2; exec sleep 30 # {port}" } } },
  metrics = { ys.metric "exact_match" },
}
LUA
run_ys slowstart run slowstart.lua -q -o slowstart
expect_rc "local_server timeout" 2 || true
case "$(cat "$TMP/err")" in
  "yardstick: slowstart.lua:6: local_server: 'sh' was not healthy (GET http://127.0.0.1:"*"/health) after 1 s; it said: warming up") ;;
  *) fail "local_server timeout: $(cat "$TMP/err")" ;;
esac
kill -0 "$(cat "$TMP/slow.pid")" 2>/dev/null && fail "local_server timeout: the server was left running"
# }======

# {====== exec workers ======
data 12
cat > worker.sh <<'SH'
#!/bin/sh
# Answers with the expected label; dies once on s05; fails s07; ignores s09
# once (a hang, for the timeout).
echo "worker $$ ready" >&2
while IFS= read -r line; do
  id=$(printf '%s' "$line" | sed -E 's/.*"id":"([^"]*)".*/\1/')
  exp=$(printf '%s' "$line" | sed -E 's/.*"expected":"([^"]*)".*/\1/')
  if [ "$id" = s05 ] && [ ! -e died ]; then : > died; exit 1; fi
  if [ "$id" = s09 ] && [ ! -e hung ]; then : > hung; sleep 30; fi
  if [ "$id" = s07 ]; then printf '{"error":"no answer for s07"}\n'; continue; fi
  printf '{"text":"%s","input_tokens":5,"output_tokens":1}\n' "$exp"
done
SH
chmod +x worker.sh
suite exec.lua 'ys.exec { cmd = { "./worker.sh" }, workers = 3, timeout = 1 }' '"{{title}}"' 'max_error_rate = 0.1,'
rm -f died hung
run_ys exec run exec.lua -o exec -j 12
expect_rc "exec" 0 || true
[ "$(jq -r 'select(.id == "s05") | .status' exec/samples.jsonl)" = ok ] || fail "exec: a dead worker's sample is retried"
[ "$(jq -r 'select(.id == "s09") | .status' exec/samples.jsonl)" = ok ] || fail "exec: a hung worker's sample is retried"
[ "$(jq -r 'select(.id == "s07") | .error' exec/samples.jsonl)" = "exec: no answer for s07" ] || fail "exec: error lines"
[ "$(jq -r 'select(.id == "s01") | .usage.input_tokens' exec/samples.jsonl)" = 5 ] || fail "exec: tokens"
grep -q "^exec worker [0-9]: worker [0-9]* ready$" "$TMP/err" || fail "exec: worker stderr not logged"
grep -q "no answer within 1 s, restarting it" "$TMP/err" || fail "exec: timeout not logged"
# A command that cannot run, and one that keeps dying: one error each.
suite exec2.lua 'ys.exec { cmd = { "./no-such-worker" } }' '"{{title}}"'
run_ys exec-missing run exec2.lua -q -o exec2
expect_rc "exec: missing command" 3 || true
[ "$(cat "$TMP/err")" = "yardstick: exec: cannot run './no-such-worker': No such file or directory; after fixing this, continue with: yardstick run --resume exec2" ] ||
  fail "exec missing: $(cat "$TMP/err")"
printf '#!/bin/sh\necho "bad config" >&2\nexit 2\n' > dies.sh
chmod +x dies.sh
suite exec3.lua 'ys.exec { cmd = { "./dies.sh" } }' '"{{title}}"'
run_ys exec-dies run exec3.lua -q -o exec3
expect_rc "exec: keeps dying" 3 || true
case "$(tail -1 "$TMP/err")" in "yardstick: exec: './dies.sh' keeps exiting before it answers (it exited with code 2)"*) ;; *) fail "exec dies: $(cat "$TMP/err")" ;; esac
# }======

done_tests
