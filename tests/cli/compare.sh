#!/bin/sh
# SPDX-License-Identifier: MIT
# yardstick compare end to end: two runs of a suite (before and after a
# change), the models within one run, the samples where they disagree
# (regressions first), mismatched datasets, and bad arguments.
. "${YS_SRCDIR:-.}/tests/setup"
cd "$TMP"

# 40 samples. "before" answers right on i % 4 != 0; "after" fixes i % 4 ==
# 0 except i % 8 == 0 and breaks i % 10 == 1.
awk 'BEGIN {
  for(i = 0; i < 40; i++) {
    a = "answer" i
    before = (i % 4 != 0) ? a : "no"
    after = ((i % 4 != 0 || i % 8 != 0) && i % 10 != 1) ? a : "no"
    printf("{\"id\": \"s%02d\", \"q\": \"q%d\", \"answer\": \"%s\", \"before\": \"%s\", \"after\": \"%s\"}\n", i, i, a, before, after)
  }
}' > data.jsonl

# suite FILE FIELD: model "cand" answers from FIELD; "ref" is always right.
suite() {
  cat > "$1" <<LUA
local ys = require "yardstick"
return ys.suite {
  name = "cmp",
  dataset = ys.jsonl "${3:-data.jsonl}",
  prompt = "{{q}}",
  models = { cand = ys.replay { field = "$2" },
             ref = ys.replay { field = "answer" } },
  metrics = { ys.metric "exact_match" { expected = "answer" },
              ys.metric "length" },
}
LUA
}
suite before.lua before
suite after.lua after
run_ys before run before.lua -o runa -q --no-cache
expect_rc "run before" 0 || true
run_ys after run after.lua -o runb -q --no-cache
expect_rc "run after" 0 || true

# {====== two runs ======
run_ys cmp compare runa runb --json
expect_rc "compare two runs" 0 || true
cp "$TMP/out" cmp.json
[ "$(json '"\(.common) \(.only_a) \(.only_b) \(.same_dataset) \(.within_run)"' cmp.json)" = "40 0 0 true false" ] ||
  fail "compare: counts: $(head -c 300 cmp.json)"
# cand on exact_match: before 30/40; after: 5 of the 10 misses fixed
# (i % 8 == 4), 4 broken (i % 10 == 1): 31/40.
c='.comparisons[] | select(.metric == "exact_match" and .model_a == "cand")'
[ "$(json "$c | \"\(.a) \(.b) \(.diff) \(.better) \(.worse) \(.n) \(.method)\"" cmp.json)" = "0.75 0.775 0.025 5 4 40 mcnemar" ] ||
  fail "compare: cand: $(json "$c" cmp.json)"
[ "$(json "$c | .p" cmp.json)" = 1 ] || fail "compare: McNemar p of 5 vs 4"
[ "$(json "$c | .disagreements" cmp.json)" = 9 ] || fail "compare: disagreements"
# Regressions first: the four broken samples, in dataset order.
[ "$(json "[$c | .samples[] | .id] | join(\" \")" cmp.json)" = "s01 s11 s21 s31 s04 s12 s20 s28 s36" ] ||
  fail "compare: order: $(json "[$c | .samples[] | .id]" cmp.json)"
[ "$(json "$c | .samples[0] | \"\(.a_score) \(.b_score) \(.a_output) \(.b_output)\"" cmp.json)" = "1 0 answer1 no" ] ||
  fail "compare: a regression: $(json "$c | .samples[0]" cmp.json)"
# ref is unchanged: no difference, nothing listed.
r='.comparisons[] | select(.metric == "exact_match" and .model_a == "ref")'
[ "$(json "$r | \"\(.diff) \(.disagreements) \(.p)\"" cmp.json)" = "0 0 1" ] || fail "compare: ref"
# Holm over the four comparisons (2 models x 2 metrics).
[ "$(json '[.comparisons[] | select(.p_holm >= .p)] | length' cmp.json)" = 4 ] || fail "compare: Holm"
run_ys cmp-text compare runa runb --show 2 --metric exact_match
expect_rc "compare, text" 0 || true
grep -q "^exact_match, cand: 9 samples differ (first ones shown, regressions first)" "$TMP/out" ||
  fail "compare text: $(cat "$TMP/out")"
[ "$(grep -c '^  s' "$TMP/out")" = 2 ] || fail "compare text: --show 2"
run_ys cmp-metric compare runa runb --metric length --models cand --json
expect_rc "compare one metric, one model" 0 || true
[ "$(json '[.comparisons[] | "\(.metric)/\(.model_a)"] | join(" ")' "$TMP/out")" = "length/cand" ] ||
  fail "compare --metric --models: $(cat "$TMP/out")"
# }======

# {====== within one run ======
run_ys within compare runb --json
expect_rc "compare within a run" 0 || true
w='.comparisons[] | select(.metric == "exact_match")'
[ "$(json "$w | \"\(.model_a) \(.model_b) \(.a) \(.b) \(.better) \(.worse)\"" "$TMP/out")" = "cand ref 0.775 1 9 0" ] ||
  fail "within: $(cat "$TMP/out")"
# }======

# {====== datasets that differ ======
head -n 30 data.jsonl > fewer.jsonl
suite fewer.lua after fewer.jsonl
run_ys fewer run fewer.lua -o runc -q --no-cache
run_ys mismatch compare runa runc
expect_rc "different datasets" 2 || true
case "$(cat "$TMP/err")" in
  "yardstick: the runs used different datasets (sha256 "*" vs "*"): --force compares the samples they share") ;;
  *) fail "different datasets: $(cat "$TMP/err")" ;;
esac
run_ys force compare runa runc --force --json
expect_rc "--force" 0 || true
[ "$(json '"\(.common) \(.only_a) \(.only_b) \(.same_dataset)"' "$TMP/out")" = "30 10 0 false" ] ||
  fail "--force: $(head -c 300 "$TMP/out")"
# }======

# {====== bad arguments ======
run_ys nomodel compare runa runb --models gpt9
expect_rc "unknown model" 2 || true
[ "$(cat "$TMP/err")" = "yardstick: no model 'gpt9' to compare in the run" ] || fail "unknown model: $(cat "$TMP/err")"
run_ys nometric compare runa runb --metric bleu
expect_rc "unknown metric" 2 || true
[ "$(cat "$TMP/err")" = "yardstick: no metric 'bleu' in the run" ] || fail "unknown metric: $(cat "$TMP/err")"
run_ys self compare runa --models cand,cand
expect_rc "a model with itself" 2 || true
run_ys three compare runa runb runc
expect_rc "three runs" 2 || true
run_ys badshow compare runa runb --show -1
expect_rc "--show -1" 2 || true
run_ys badmodels compare runa runb --models a,b,c
expect_rc "--models a,b,c" 2 || true
run_ys notrun compare runa "$TMP"
expect_rc "not a run directory" 2 || true
# }======

done_tests
