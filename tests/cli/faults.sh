#!/bin/sh
# SPDX-License-Identifier: MIT
# Faults at once, at scale: 2,000 samples against a server answering 10%
# of requests with 500, 5% with 429 and Retry-After, stalling 2% past the
# timeout and sending 1% malformed bodies. The run completes; every sample
# is scored or recorded as an error; and what yardstick counted reconciles
# exactly with the server's own log. Run by `make check-long`.
. "${YS_SRCDIR:-.}/tests/setup"
cd "$TMP"

N=2000
# A stall outlasts the client's timeout by far, and the timeout leaves an
# ordinary answer a second even on a loaded machine (the suite also runs
# under ASan): a slow answer must not pass for a stall.
start_server --fail-500 10 --fail-429 5 --retry-after 1 --stall 2 \
  --stall-ms 2500 --malformed 1 --seed 77 --log server.log
awk -v n=$N 'BEGIN { for(i = 1; i <= n; i++)
  printf("{\"id\": \"s%04d\", \"title\": \"item %d\", \"label\": \"L%d\"}\n", i, i, i % 9) }' > data.jsonl
cat > faults.lua <<LUA
local ys = require "yardstick"
return ys.suite {
  name = "faults",
  dataset = ys.jsonl "data.jsonl",
  prompt = "Classify {{title}}\\nANSWER: {{label}}",
  models = { served = ys.openai { base_url = "$SERVER/v1", model = "m",
                                  timeout = 1, retries = 6,
                                  retry_base = 0.05, retry_cap = 0.5 } },
  metrics = { ys.metric "exact_match" { expected = "label" } },
  max_error_rate = 0.05,
}
LUA
run_ys faults run faults.lua -q -j 32 -o run --no-cache
expect_rc "a run through faults" 0 || true
# Stalled requests end on the server's side 2.5 s after they began.
sleep 3
stop_servers

lines=$(wc -l < run/samples.jsonl)
[ "$lines" = $N ] || fail "samples.jsonl has $lines lines, expected $N"
ok=$(jq -r 'select(.status == "ok") | .id' run/samples.jsonl | wc -l)
malformed=$(jq -r 'select(.status == "error") | .error' run/samples.jsonl | grep -c '^malformed response from ' || true)
other=$(jq -r 'select(.status == "error") | .error' run/samples.jsonl | grep -vc '^malformed response from ' || true)
[ "$other" = 0 ] || fail "errors other than malformed bodies: $(jq -r 'select(.status == "error") | .error' run/samples.jsonl | grep -v '^malformed' | head -3)"
[ $((ok + malformed)) = $N ] || fail "scored $ok + errors $malformed != $N"
# Every scored sample is right: a fault never turned into a wrong answer.
[ "$(json '.models[0].metrics.exact_match.value' run/summary.json)" = "$(awk -v ok=$ok -v n=$N 'BEGIN { printf "%.9g", ok / n }')" ] ||
  fail "exact_match: $(json '.models[0].metrics.exact_match' run/summary.json)"

# The server's log, one line per request: "<status> <path> <fault>".
log_count() { grep -c "$1" server.log || true; }
s_ok=$(log_count '^200 /v1/chat/completions ok$')
s_500=$(log_count '^500 /v1/chat/completions 500$')
s_429=$(log_count '^429 /v1/chat/completions 429$')
s_stall=$(log_count ' stall$')
s_bad=$(log_count '^200 /v1/chat/completions malformed$')
s_all=$(grep -c ' /v1/chat/completions ' server.log)
[ $((s_ok + s_500 + s_429 + s_stall + s_bad)) = "$s_all" ] ||
  fail "server log: unexpected lines: $(grep -v -e ' ok$' -e ' 500$' -e ' 429$' -e ' stall$' -e ' malformed$' server.log | head -3)"
# Each fault happened, in roughly its share.
[ "$s_500" -gt 100 ] && [ "$s_429" -gt 40 ] && [ "$s_stall" -gt 10 ] && [ "$s_bad" -gt 5 ] ||
  fail "faults injected: 500 $s_500, 429 $s_429, stall $s_stall, malformed $s_bad"
# Reconcile: one good answer per scored sample, one malformed per error.
[ "$s_ok" = "$ok" ] || fail "server answered $s_ok, yardstick scored $ok"
[ "$s_bad" = "$malformed" ] || fail "server sent $s_bad malformed bodies, yardstick recorded $malformed"
# yardstick's own counts: every attempt is one server request.
h() { json ".http.$1" run/summary.json; }
[ "$(h attempts)" = "$s_all" ] || fail "attempts $(h attempts), server requests $s_all"
[ "$(h retries)" = $((s_all - N)) ] || fail "retries $(h retries), expected $((s_all - N))"
[ "$(h 'responses."2xx"')" = $((s_ok + s_bad)) ] || fail "2xx $(h 'responses."2xx"') vs $((s_ok + s_bad))"
[ "$(h 'responses."5xx"')" = "$s_500" ] || fail "5xx $(h 'responses."5xx"') vs $s_500"
[ "$(h 'responses."4xx"')" = "$s_429" ] || fail "4xx $(h 'responses."4xx"') vs $s_429"
[ "$(h transport_errors)" = "$s_stall" ] || fail "transport errors $(h transport_errors) vs stalls $s_stall"
[ "$(json '.models[0].usage.calls' run/summary.json)" = $N ] || fail "calls: one per sample"

done_tests
