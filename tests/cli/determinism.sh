#!/bin/sh
# SPDX-License-Identifier: MIT
# Results do not depend on timing: the same suite run twice, or at -j 1,
# 3 and 64 with tasks that finish out of order, gives the same
# samples.jsonl and summary.json apart from timings and the run id.
. "${YS_SRCDIR:-.}/tests/setup"
cd "$TMP"

# normalise RUN: the run's lines and summary without timings or run id.
normalise() {
  jq -c 'del(.latency_ms, .elapsed_ms)' "$1/samples.jsonl" > "$1.lines"
  jq -S 'del(.run_id) | walk(if type == "object" then del(.latency_ms, .elapsed_ms) else . end)' \
    "$1/summary.json" > "$1.summary"
}

same() {
  cmp -s "$1.lines" "$2.lines" ||
    fail "$3: samples.jsonl differs: $(diff "$1.lines" "$2.lines" | head -4)"
  cmp -s "$1.summary" "$2.summary" ||
    fail "$3: summary.json differs: $(diff "$1.summary" "$2.summary" | head -4)"
}

EX=$YS_SRCDIR/suites/product-categorization/suite.lua
for run in a b; do
  run_ys "example $run" run "$EX" -q -o "ex-$run"
  expect_rc "example run $run" 0 || true
  normalise "ex-$run"
done
same ex-a ex-b "the example suite run twice"
run_ys "example -j 64" run "$EX" -q -j 64 -o ex-j64
normalise ex-j64
same ex-a ex-j64 "the example suite at -j 8 and -j 64"

# Tasks that sleep a different time each, so they finish out of order.
SLEEPY=$YS_TESTDATA/suites/sleepy.lua
for j in 1 3 64; do
  run_ys "sleepy -j $j" run "$SLEEPY" -q -j "$j" -o "sleepy-$j"
  expect_rc "sleepy -j $j" 0 || true
  normalise "sleepy-$j"
done
same sleepy-1 sleepy-3 "out-of-order tasks at -j 1 and -j 3"
same sleepy-1 sleepy-64 "out-of-order tasks at -j 1 and -j 64"
# Dataset order, each sample's models in suite order, whatever finished
# first.
order=$(jq -r '"\(.id)/\(.model)"' sleepy-64/samples.jsonl | tr '\n' ' ' | cut -d' ' -f1-6)
[ "$order" = "p01/slow p01/limited p02/slow p02/limited p03/slow p03/limited" ] ||
  fail "order of lines: $order"

done_tests
