#!/bin/sh
# SPDX-License-Identifier: MIT
# End to end: the real binary on real files. Recorded outputs with known
# scores, CSV input, evaluate functions, failing models and metrics, gates,
# --limit/--sample, re-scoring a previous run, and the example suite.
. "${YS_SRCDIR:-.}/tests/setup"
SUITES=$YS_TESTDATA/suites
EXPECTED=$YS_TESTDATA/expected
cd "$TMP"

# Drops what varies between runs (timings) so files can be compared.
strip_lines() { jq -c 'del(.latency_ms, .elapsed_ms)' "$1"; }

# {====== recorded outputs: exact scores ======
run_ys replay run "$SUITES/replay.lua" -o replay
expect_rc "replay suite" 0 || true
got=$(json '[.models[] | .name, (.metrics | to_entries[] | "\(.key)=\(.value.value)")] | join(" ")' replay/summary.json)
want="recorded taxonomy_depth.level1=1 taxonomy_depth.level2=0.5 taxonomy_depth.level3=0.5 exact_match=0.5 human taxonomy_depth.level1=1 taxonomy_depth.level2=1 taxonomy_depth.level3=0.75 exact_match=0.75"
[ "$got" = "$want" ] || fail "replay scores: $got"
[ "$(json '.status' replay/summary.json)" = complete ] || fail "replay: status"
[ "$(json '.gates | map(.pass) | all' replay/summary.json)" = true ] || fail "replay: gates"
[ "$(wc -l < replay/samples.jsonl)" -eq 24 ] || fail "replay: 24 lines expected"
strip_lines replay/samples.jsonl > replay.lines
cmp -s replay.lines "$EXPECTED/replay.samples.jsonl" ||
  fail "replay: samples.jsonl differs: $(diff replay.lines "$EXPECTED/replay.samples.jsonl" | head -5)"
# The table, with the latency columns (timings) masked.
sed -E 's/[0-9]+\.[0-9] +[0-9]+\.[0-9]$/T T/' "$TMP/out" > replay.table
cmp -s replay.table "$EXPECTED/replay.table" ||
  fail "replay: table differs: $(diff replay.table "$EXPECTED/replay.table")"
grep -q "$(printf '\033')" "$TMP/out" && fail "replay: colour codes when stdout is not a terminal"
[ "$(json '.status' replay/manifest.json)" = complete ] || fail "replay: manifest status"
[ "$(json '.dataset.rows_evaluated' replay/manifest.json)" = 12 ] || fail "replay: manifest rows"
# }======

# {====== a failing gate exits 1 ======
# Paths in the suite are relative to it: give it the data beside it.
mkdir -p gate/s && cp "$YS_TESTDATA/products.jsonl" "$YS_TESTDATA/outputs.jsonl" gate/ &&
  sed 's/metric = "taxonomy_depth.level1", min = 1/metric = "taxonomy_depth.level2", min = 0.9/' \
  "$SUITES/replay.lua" > gate/s/replay.lua
run_ys gatefail run gate/s/replay.lua -o gaterun
expect_rc "failing gate" 1 || true
grep -qF "gate FAIL  recorded taxonomy_depth.level2 >= 0.9: 0.5 [0.2538, 0.7462], n=12" "$TMP/out" ||
  fail "failing gate: verdict not shown: $(cat "$TMP/out")"
[ "$(json '.gates_failed' gaterun/summary.json)" = 1 ] || fail "failing gate: summary"
# }======

# {====== CSV dataset ======
run_ys csv run "$SUITES/csv.lua" -q -o csv
expect_rc "csv suite" 0 || true
[ ! -s "$TMP/out" ] || fail "csv: --quiet printed: $(cat "$TMP/out")"
[ "$(json '.models[0].metrics.exact_match.value' csv/summary.json)" = 1 ] ||
  fail "csv: naive Bayes trained on the same rows should be exact"
[ "$(jq -r 'select(.model == "trained") | .id' csv/samples.jsonl | tr '\n' ' ')" = \
  "p01 p02 p03 p04 p05 p06 p07 p08 p09 p10 p11 p12 " ] || fail "csv: ids"
# }======

# {====== prompt and evaluate functions ======
run_ys evaluate run "$SUITES/evaluate.lua" -q -o evaluate
expect_rc "evaluate suite" 0 || true
line=$(head -1 evaluate/samples.jsonl | jq -c 'del(.latency_ms, .elapsed_ms)')
want='{"id":"p01","model":"echo","status":"ok","output":{"first":"echo:first:p01","model":"echo","second":"echo:again","shout":"P01","tokens":1},"scores":{"mentions_id":1},"usage":{"calls":2,"input_tokens":3,"output_tokens":2,"cache_hits":0},"cost":0,"other_usage":{"upper":{"calls":1,"input_tokens":1,"output_tokens":1,"cache_hits":0,"estimated_tokens":true,"cost":0}}}'
[ "$line" = "$want" ] || fail "evaluate: first line: $line"
# }======

# {====== errors are recorded, counted and fail the run ======
run_ys failing run "$SUITES/failing.lua" -q -o failing
expect_rc "failing suite" 3 || true
[ "$(cat "$TMP/err")" = "yardstick: 3 of 12 tasks failed, more than max_error_rate = 0 allows; see failing/samples.jsonl" ] ||
  fail "failing: message: $(cat "$TMP/err")"
[ "$(jq -r 'select(.status == "error") | "\(.id): \(.error)"' failing/samples.jsonl | tr '\n' ';')" = \
  "p03: backend exploded on p03;p07: backend exploded on p07;" ] || fail "failing: error lines"
[ "$(jq -r 'select(.id == "p05") | .score_errors.fails_on_p05' failing/samples.jsonl)" = \
  "metric 'fails_on_p05': ./fails_on_p05.lua:4: cannot score p05" ] || fail "failing: metric error"
[ "$(json '.models[0] | "\(.errors) \(.score_errors) \(.metrics.exact_match.value) \(.metrics.picky.value) \(.metrics.fails_on_p05.scored)"' failing/summary.json)" = \
  "2 1 0.833333333 0.583333333 9" ] || fail "failing: summary counts: $(json '.models[0]' failing/summary.json)"
[ "$(json '.status' failing/summary.json)" = incomplete ] || fail "failing: status"
[ "$(json '.status' failing/manifest.json)" = incomplete ] || fail "failing: manifest"
TEST_MAX_ERROR_RATE=0.25 run_ys failing-allowed run "$SUITES/failing.lua" -q -o failing2
expect_rc "failing within max_error_rate" 0 || true
# }======

# {====== --limit and --sample ======
run_ys limit run "$SUITES/evaluate.lua" -q --limit 5 -o limit
expect_rc "--limit" 0 || true
[ "$(jq -r 'select(.model == "echo") | .id' limit/samples.jsonl | tr '\n' ' ')" = "p01 p02 p03 p04 p05 " ] ||
  fail "--limit: ids"
for i in 1 2; do
  run_ys sample run "$SUITES/evaluate.lua" -q --sample 5 --seed 7 -o "sample$i"
  expect_rc "--sample" 0 || true
done
ids1=$(jq -r 'select(.model == "echo") | .id' sample1/samples.jsonl | tr '\n' ' ')
ids2=$(jq -r 'select(.model == "echo") | .id' sample2/samples.jsonl | tr '\n' ' ')
[ "$ids1" = "$ids2" ] || fail "--sample: same seed, different samples: $ids1 / $ids2"
[ "$(echo "$ids1" | wc -w)" -eq 5 ] || fail "--sample: 5 samples expected: $ids1"
run_ys sample run "$SUITES/evaluate.lua" -q --sample 5 --seed 8 -o sample3
ids3=$(jq -r 'select(.model == "echo") | .id' sample3/samples.jsonl | tr '\n' ' ')
[ "$ids1" != "$ids3" ] || fail "--sample: another seed gave the same samples"
# Dataset order is kept within the subset.
[ "$(echo "$ids1" | tr ' ' '\n' | grep . | sort | tr '\n' ' ')" = "$ids1" ] || fail "--sample: order"
# Options also come as --name=value, -j4 and -oDIR.
run_ys spellings run "$SUITES/evaluate.lua" -q --limit=3 -j4 -ospelled --seed=2
expect_rc "option spellings" 0 || true
[ "$(jq -r 'select(.model == "echo") | .id' spelled/samples.jsonl | tr '\n' ' ')" = "p01 p02 p03 " ] ||
  fail "option spellings: $(cat "$TMP/err")"
[ "$(json '.options | "\(.jobs) \(.seed)"' spelled/manifest.json)" = "4 2" ] || fail "option spellings: manifest"
run_ys badspelling run "$SUITES/evaluate.lua" -q --limit=x
expect_rc "--limit=x" 2 || true
[ "$(cat "$TMP/err")" = "yardstick: --limit expects a whole number from 1 to 9223372036854775807, got 'x'" ] ||
  fail "--limit=x: $(cat "$TMP/err")"
# }======

# {====== the example suite, and re-scoring its outputs ======
EX=$YS_SRCDIR/suites/product-categorization
run_ys example run "$EX/suite.lua" -o example
expect_rc "example suite" 0 || true
[ "$(json '[.models[] | .name] | join(" ")' example/summary.json)" = "zero_shot trained" ] ||
  fail "example: models"
for m in 0 1; do
  for k in 1 2 3; do
    v=$(json ".models[$m].metrics[\"taxonomy_depth.level$k\"].value" example/summary.json)
    case "$v" in 0.*) ;; *) fail "example: model $m level $k value '$v'" ;; esac
  done
done
[ "$(wc -l < example/samples.jsonl)" -eq 1420 ] || fail "example: 1420 lines expected"
cat > rescore.lua <<LUA
local ys = require "yardstick"
return ys.suite {
  name = "rescore",
  dataset = ys.jsonl "$EX/data/eval.jsonl",
  prompt = "{{title}}",
  models = { trained = ys.replay { file = "example/samples.jsonl", model = "trained" } },
  metrics = {
    ys.metric "taxonomy_depth" { expected = "category", levels = 3,
                                 taxonomy = "$EX/data/categories.txt" },
    ys.metric "exact_match" { expected = "category", ignore_case = true },
  },
}
LUA
run_ys rescore run rescore.lua -q -o rescore
expect_rc "rescore" 0 || true
a=$(json '.models[1].metrics | map_values(.value)' example/summary.json)
b=$(json '.models[0].metrics | map_values(.value)' rescore/summary.json)
[ "$a" = "$b" ] || fail "re-scoring recorded outputs changed the scores: $a / $b"
# }======

# {====== print() in a suite goes to stderr, the run goes on ======
cp "$YS_TESTDATA/products.jsonl" .
cat > printing.lua <<'LUA'
local ys = require "yardstick"
print("loading", 42)
return ys.suite {
  name = "printing",
  dataset = ys.jsonl "products.jsonl",
  prompt = "{{title}}",
  models = { h = ys.replay { field = "human_label" } },
  metrics = { ys.metric "exact_match" { expected = "category" } },
}
LUA
run_ys printing run printing.lua -o printing
expect_rc "print" 0 || true
[ "$(cat "$TMP/err")" = "$(printf 'loading\t42')" ] || fail "print: stderr was '$(cat "$TMP/err")'"
# --quiet keeps stderr for errors and warnings only.
run_ys printing-quiet run printing.lua -q -o printing-q
[ ! -s "$TMP/err" ] || fail "print: --quiet let through '$(cat "$TMP/err")'"
# }======

# {====== on a terminal: progress line and colours, NO_COLOR ======
# script(1) (util-linux) gives the run a pseudo-terminal.
if command -v script >/dev/null 2>&1; then
  script -qc "'$YS_BIN' run '$SUITES/replay.lua' -o tty1" /dev/null > tty.out 2>&1 || true
  grep -q "24/24 tasks  100%" tty.out || fail "tty: no progress line: $(head -c 300 tty.out)"
  grep -q "$(printf '\033')\[1mreplay" tty.out || fail "tty: no colours"
  NO_COLOR=1 script -qc "'$YS_BIN' run '$SUITES/replay.lua' -o tty2" /dev/null > tty2.out 2>&1 || true
  grep -q "$(printf '\033')\[1m" tty2.out && fail "tty: colours despite NO_COLOR"
  grep -q "gate PASS" tty2.out || fail "tty: NO_COLOR run printed no table"
fi
# }======

done_tests
