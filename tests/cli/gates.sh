#!/bin/sh
# SPDX-License-Identifier: MIT
# Gates end to end: every kind in a real run (paired beats and
# not_worse_than, a baseline, interval bounds, limits), the exit status,
# `yardstick gate` giving the same verdicts from the stored run, --suite
# with updated gates, and bad run directories.
. "${YS_SRCDIR:-.}/tests/setup"
cd "$TMP"

# 200 samples; three recorded models: big right on 180 (i % 10 != 0),
# small on 150 (i % 4 != 0), same like big but wrong on 8 more (i % 25 ==
# 1) and right on 10 of big's misses (i % 20 == 0).
awk 'BEGIN {
  for(i = 0; i < 200; i++) {
    a = "answer" i
    big = (i % 10 != 0) ? a : "no"
    small = (i % 4 != 0) ? a : "no"
    same = ((i % 10 != 0 && i % 25 != 1) || i % 20 == 0) ? a : "no"
    printf("{\"id\": \"s%03d\", \"q\": \"q%d\", \"answer\": \"%s\", \"big\": \"%s\", \"small\": \"%s\", \"same\": \"%s\"}\n", i, i, a, big, small, same)
  }
}' > data.jsonl

# gates_suite FILE GATES: the suite with the given gates.
gates_suite() {
  cat > "$1" <<LUA
local ys = require "yardstick"
return ys.suite {
  name = "gated",
  dataset = ys.jsonl "data.jsonl",
  prompt = "{{q}}",
  models = {
    big = ys.replay { field = "big" },
    small = ys.replay { field = "small" },
    same = ys.replay { field = "same" },
  },
  metrics = { ys.metric "exact_match" { expected = "answer" },
              ys.metric "token_f1" { expected = "answer" } },
  baselines = { human = { metric = "exact_match", value = 0.76 } },
  gates = {
$2
  },
}
LUA
}

gates_suite all.lua '
    { model = "big", metric = "exact_match", beats = "small" },
    { model = "same", metric = "exact_match", beats = "big" },
    { model = "same", metric = "exact_match", not_worse_than = "big", margin = 0.1 },
    { model = "same", metric = "exact_match", not_worse_than = "big", margin = 0 },
    { model = "big", metric = "exact_match", beats = "human" },
    { model = "big", metric = "exact_match", min = 0.9, bound = "lower" },
    { model = "big", metric = "exact_match", min = 0.9 },
    { model = "big", metric = "token_f1", beats = "small", alpha = 0.01 },
    { model = "big", max_error_rate = 0 },
    { model = "big", max_cost_per_1k = 0 },
    { model = "big", max_p95_latency_ms = 10000 },'

# {====== verdicts in a run ======
run_ys run run all.lua -o all --no-cache
expect_rc "a run with failing gates" 1 || true
verdicts=$(json '[.gates[].pass] | map(if . then "P" else "F" end) | join("")' all/summary.json)
[ "$verdicts" = "PFPFPFPPPFP" ] || fail "verdicts: $verdicts: $(json '.gates' all/summary.json)"
[ "$(json '.gates_failed' all/summary.json)" = 4 ] || fail "gates_failed"
# A cost limit on a model without a price fails: its cost is unknown.
[ "$(json '.gates[9].error' all/summary.json)" = "the model has no price (price = { input =, output = }), so its cost is unknown" ] ||
  fail "cost gate without a price: $(json '.gates[9]' all/summary.json)"
# McNemar on big vs small: 40 pairs one way, 10 the other.
[ "$(json '.gates[0] | "\(.method) \(.wins) \(.losses) \(.n) \(.diff)"' all/summary.json)" = "mcnemar 40 10 200 0.15" ] ||
  fail "beats evidence: $(json '.gates[0]' all/summary.json)"
# The two beats gates between models are one Holm family.
[ "$(json '.gates[0].p_holm > .gates[0].p and .gates[0].p < 0.0001' all/summary.json)" = true ] ||
  fail "Holm: $(json '.gates[0]' all/summary.json)"
[ "$(json '.gates[1] | "\(.wins) \(.losses)"' all/summary.json)" = "10 8" ] || fail "same vs big counts"
[ "$(json '.gates[4] | "\(.method) \(.baseline) \(.estimate)"' all/summary.json)" = "wilson 0.76 0.9" ] ||
  fail "baseline evidence: $(json '.gates[4]' all/summary.json)"
[ "$(json '.gates[7].method' all/summary.json)" = "paired bootstrap" ] || fail "continuous beats"
grep -qF "gate FAIL  big exact_match (lower bound) >= 0.9: 0.9 [0.8506, 0.9343], n=200" "$TMP/out" ||
  fail "lower-bound verdict line: $(grep gate "$TMP/out")"
grep -qF "gate PASS  same is not worse than big by more than 0.1 on exact_match: difference +0.01" "$TMP/out" ||
  fail "not-worse verdict line: $(grep gate "$TMP/out")"
grep -qF "gate PASS  big error rate <= 0: 0 (0 of 200 tasks)" "$TMP/out" || fail "error-rate line"
# }======

# {====== yardstick gate: the same verdicts from the stored run ======
run_ys regate gate all --json
expect_rc "gate on the stored run" 1 || true
jq -S . "$TMP/out" > regate.json
json '.gates' all/summary.json | jq -S . > stored.json
cmp -s regate.json stored.json || fail "gate: verdicts differ from the run's: $(diff stored.json regate.json | head -8)"
run_ys regate-text gate all
expect_rc "gate, text" 1 || true
[ "$(grep -c '^gate FAIL' "$TMP/out")" = 4 ] || fail "gate text: $(cat "$TMP/out")"
[ "$(grep -c '^gate PASS' "$TMP/out")" = 7 ] || fail "gate text: passes"
# Updated gates in a new suite file, on the same stored scores.
gates_suite relaxed.lua '
    { model = "big", metric = "exact_match", beats = "small" },
    { model = "same", metric = "exact_match", not_worse_than = "big", margin = 0.05 },
    { model = "big", metric = "exact_match", min = 0.85, bound = "lower" },'
run_ys relaxed gate all --suite relaxed.lua
expect_rc "gate --suite with gates that hold" 0 || true
[ "$(grep -c '^gate PASS' "$TMP/out")" = 3 ] || fail "gate --suite: $(cat "$TMP/out")"
# A baseline the updated suite adds is the one its gate names.
sed 's/human = { metric = "exact_match", value = 0.76 }/human = { metric = "exact_match", value = 0.76 },\n                floor = { metric = "exact_match", value = 0.5 }/' relaxed.lua |
  sed 's/{ model = "big", metric = "exact_match", beats = "small" },/{ model = "small", metric = "exact_match", beats = "floor" },/' > newbase.lua
run_ys newbase gate all --suite newbase.lua --json
expect_rc "gate --suite with a new baseline" 0 || true
[ "$(json '.[0] | "\(.other) \(.baseline) \(.pass)"' "$TMP/out")" = "floor 0.5 true" ] ||
  fail "gate --suite: new baseline: $(cat "$TMP/out") $(cat "$TMP/err")"
gates_suite none.lua ''
run_ys none gate all --suite none.lua
expect_rc "gate --suite without gates" 0 || true
[ "$(cat "$TMP/out")" = "no gates" ] || fail "no gates: $(cat "$TMP/out")"
# }======

# {====== bad input ======
run_ys nodir gate no-such-run
expect_rc "gate on a missing directory" 2 || true
[ "$(cat "$TMP/err")" = "yardstick: no-such-run/manifest.json: cannot open: No such file or directory (is no-such-run a finished run directory?)" ] ||
  fail "missing directory: $(cat "$TMP/err")"
cp -r all broken
echo '{"id": "x"}' >> broken/samples.jsonl
run_ys badline gate broken
expect_rc "a bad samples.jsonl line" 2 || true
[ "$(cat "$TMP/err")" = "yardstick: broken/samples.jsonl:601: expected a JSON object with id and model" ] ||
  fail "bad line: $(cat "$TMP/err")"
cp -r all badkind
jq -c '.gates[0].kind = "faster"' all/summary.json > badkind/summary.json
run_ys badkind gate badkind
expect_rc "a stored gate of unknown kind" 2 || true
[ "$(cat "$TMP/err")" = "yardstick: badkind/summary.json: a gate has no known kind" ] ||
  fail "bad kind: $(cat "$TMP/err")"
cp -r all badjson
printf '{"models": [' > badjson/summary.json
run_ys badjson gate badjson
expect_rc "summary.json not JSON" 2 || true
[ "$(cat "$TMP/err")" = "yardstick: badjson/summary.json: not a JSON object" ] || fail "bad json: $(cat "$TMP/err")"
printf 'return 1\n' > notasuite.lua
run_ys badsuite gate all --suite notasuite.lua
expect_rc "gate --suite with a bad suite" 2 || true
grep -q "notasuite.lua" "$TMP/err" || fail "bad suite: $(cat "$TMP/err")"
run_ys usage gate
expect_rc "gate without a directory" 2 || true
run_ys usage2 gate all --frobnicate
expect_rc "gate with an unknown option" 2 || true
[ "$(cat "$TMP/err")" = "yardstick: gate: unknown option '--frobnicate' (see yardstick --help)" ] || fail "unknown option: $(cat "$TMP/err")"
# }======

done_tests
