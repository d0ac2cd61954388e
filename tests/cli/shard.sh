#!/bin/sh
# SPDX-License-Identifier: MIT
# Sharding: N shards run apart (here as background jobs, as GNU parallel
# or a job array would) and joined with yardstick merge give exactly the
# run an unsharded run writes; shards are stable when rows move; merge
# refuses shards that do not belong together.
. "${YS_SRCDIR:-.}/tests/setup"
cd "$TMP"

start_server --latency 5 --seed 3
awk 'BEGIN { for(i = 1; i <= 90; i++)
  printf("{\"id\": \"s%02d\", \"title\": \"item %d\", \"label\": \"L%d\"}\n", i, i, i % 4) }' > data.jsonl
cat > suite.lua <<LUA
local ys = require "yardstick"
return ys.suite {
  name = "sharded",
  dataset = ys.jsonl "data.jsonl",
  prompt = "Classify {{title}}\\nANSWER: {{label}}",
  models = {
    served = ys.openai { base_url = "$SERVER/v1", model = "m",
                         price = { input = 1, output = 3 } },
    recorded = ys.replay { field = "label" },
  },
  helpers = { judge = ys.model { chat = function(self, r)
    return r.id < "s50" and "Score: 4" or "Score: 2" end } },
  metrics = { ys.metric "exact_match" { expected = "label" },
              ys.metric "length",
              ys.metric "llm_judge" { judge = "judge",
                properties = { tidy = "the answer is tidy" } } },
}
LUA
norm_lines() { jq -c 'del(.latency_ms, .elapsed_ms)' "$1"; }
norm_summary() {
  jq -S 'del(.run_id) | .models[] |= del(.latency_ms, .elapsed_ms)' "$1"
}

run_ys whole run suite.lua -q -j 4 -o whole --no-cache
expect_rc "unsharded run" 0 || true
norm_lines whole/samples.jsonl > whole.lines
norm_summary whole/summary.json > whole.summary

# {====== three shards in parallel, merged ======
pids=
for k in 0 1 2; do
  $VALGRIND "$YS_BIN" run suite.lua -q -j 2 --shard "$k/3" -o "part$k" --no-cache \
    >"out$k" 2>"err$k" &
  pids="$pids $!"
done
# Not a bare wait: the test server runs in the background too.
for p in $pids; do wait "$p" || true; done
for k in 0 1 2; do
  [ "$(json .status "part$k/manifest.json")" = complete ] || fail "shard $k: $(cat "err$k")"
  [ "$(json '.options.shard | "\(.index)/\(.count)"' "part$k/manifest.json")" = "$k/3" ] || fail "shard $k: manifest"
done
n0=$(wc -l < part0/samples.jsonl); n1=$(wc -l < part1/samples.jsonl); n2=$(wc -l < part2/samples.jsonl)
[ $((n0 + n1 + n2)) = 180 ] || fail "shards hold $n0 + $n1 + $n2 lines, not 180"
[ "$n0" -gt 20 ] && [ "$n1" -gt 20 ] && [ "$n2" -gt 20 ] || fail "uneven shards: $n0 $n1 $n2"
run_ys merge merge part2 part0 part1 --out merged -q
expect_rc "merge" 0 || true
norm_lines merged/samples.jsonl > merged.lines
cmp -s whole.lines merged.lines || fail "merged samples.jsonl differs: $(diff whole.lines merged.lines | head -4)"
norm_summary merged/summary.json > merged.summary
cmp -s whole.summary merged.summary || fail "merged summary differs: $(diff whole.summary merged.summary | head -8)"
[ "$(json '.merged_from | length' merged/manifest.json)" = 3 ] || fail "manifest merged_from"
# The merged run is an ordinary run: gate and report work on it.
run_ys gate gate merged
expect_rc "gate on the merged run" 0 || true
# }======

# {====== shards are stable when rows move ======
tac data.jsonl > reversed.jsonl
sed 's/"data.jsonl"/"reversed.jsonl"/' suite.lua > reversed.lua
run_ys rev run reversed.lua -q --shard 1/3 -o rev1 --no-cache
[ "$(json .id rev1/samples.jsonl | sort -u)" = "$(json .id part1/samples.jsonl | sort -u)" ] ||
  fail "shard 1 holds other samples once rows are reversed"
# }======

# {====== --sample with shards ======
run_ys sw run suite.lua -q --sample 30 --seed 9 -o swhole --no-cache
for k in 0 1; do
  run_ys "s$k" run suite.lua -q --sample 30 --seed 9 --shard "$k/2" -o "sp$k" --no-cache
done
run_ys smerge merge sp0 sp1 --out smerged -q
expect_rc "merge of sampled shards" 0 || true
norm_lines swhole/samples.jsonl > a.lines
norm_lines smerged/samples.jsonl > b.lines
cmp -s a.lines b.lines || fail "sampled shards merged differ from a sampled run"
# }======

# {====== what merge refuses ======
run_ys missing merge part0 part1 --out m1 -q
expect_rc "a missing shard" 2 || true
[ "$(cat "$TMP/err")" = "yardstick: part0 is shard 0 of 3, but 2 directories were given: give all 3 shards" ] ||
  fail "missing shard: $(cat "$TMP/err")"
[ ! -e m1 ] || fail "missing shard: an output directory was made"
run_ys twice merge part0 part1 part1 --out m2 -q
expect_rc "a shard twice" 2 || true
[ "$(cat "$TMP/err")" = "yardstick: part1 and part1 are both shard 1" ] || fail "twice: $(cat "$TMP/err")"
run_ys other merge part0 rev1 part2 --out m3 -q
expect_rc "a shard of another suite" 2 || true
[ "$(cat "$TMP/err")" = "yardstick: suite.lua: changed since the run in rev1 started: merging would mix results of two suites; start a new run" ] ||
  fail "other suite: $(cat "$TMP/err")"
run_ys notshard merge whole part1 part2 --out m4 -q
expect_rc "not a shard" 2 || true
[ "$(cat "$TMP/err")" = "yardstick: whole is not a shard (run with --shard K/N)" ] || fail "not a shard: $(cat "$TMP/err")"
cp -r part2 unfinished && jq '.status = "interrupted"' part2/manifest.json > unfinished/manifest.json
run_ys unfinished merge part0 part1 unfinished --out m5 -q
expect_rc "an unfinished shard" 2 || true
[ "$(cat "$TMP/err")" = "yardstick: shard 2 in unfinished has not finished (status interrupted): resume it first (yardstick run --resume unfinished)" ] ||
  fail "unfinished: $(cat "$TMP/err")"
cp -r part2 cut && head -n 3 part2/samples.jsonl > cut/samples.jsonl
run_ys cut merge part0 part1 cut --out m6 -q
expect_rc "a shard missing lines" 2 || true
case "$(cat "$TMP/err")" in
  "yardstick: cut/samples.jsonl:3: the end where the merged run expects sample '"*"': the shards do not belong together") ;;
  *) fail "cut shard: $(cat "$TMP/err")" ;;
esac
[ ! -e m6 ] || fail "cut shard: a half-made merged run was left"
run_ys noout merge part0 part1 part2 -q
expect_rc "merge without --out" 2 || true
run_ys badshard run suite.lua --shard 3/3 -q
expect_rc "--shard 3/3" 2 || true
[ "$(cat "$TMP/err")" = "yardstick: --shard expects K/N with N from 1 and K from 0 to N-1 (e.g. 0/4), got '3/3' (see yardstick --help)" ] ||
  fail "--shard 3/3: $(cat "$TMP/err")"
run_ys emptyshard run suite.lua --shard 5/200 -q -o empty
expect_rc "an empty shard" 2 || true
# }======

done_tests
