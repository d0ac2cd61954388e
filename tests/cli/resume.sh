#!/bin/sh
# SPDX-License-Identifier: MIT
# Crash safety: a run killed with SIGKILL at 20 seeded moments, then
# resumed with --resume, ends with exactly the results of a run never
# interrupted: every task once, in dataset order, the same scores and
# summary. Also a torn last line, Ctrl-C then resume, and resuming what
# cannot be resumed.
. "${YS_SRCDIR:-.}/tests/setup"
cd "$TMP"

# 60 samples x 2 models; the served model answers after 50 ms (+-10), so a
# run at -j 4 takes about 0.8 s.
start_server --latency 50 --jitter 10 --seed 5
awk 'BEGIN { for(i = 1; i <= 60; i++)
  printf("{\"id\": \"s%02d\", \"title\": \"item %d\", \"label\": \"L%d\"}\n", i, i, i % 7) }' > data.jsonl
cat > suite.lua <<LUA
local ys = require "yardstick"
return ys.suite {
  name = "resumable",
  dataset = ys.jsonl "data.jsonl",
  prompt = "Classify {{title}}\nANSWER: {{label}}",
  models = {
    served = ys.openai { base_url = "$SERVER/v1", model = "m",
                         price = { input = 1, output = 2 } },
    recorded = ys.replay { field = "label" },
  },
  metrics = { ys.metric "exact_match" { expected = "label" } },
}
LUA

# What may differ between two runs of the same tasks: timings, and the
# cache counts (a resumed run may answer from the cache what the killed
# one had asked).
norm_lines() { jq -c 'del(.latency_ms, .elapsed_ms) | .usage.cache_hits = 0' "$1"; }
norm_summary() {
  jq -S 'del(.run_id, .http) | .models[] |= (del(.latency_ms, .elapsed_ms)
         | .usage.cache_hits = 0)' "$1"
}

run_ys reference run suite.lua -q -j 4 -o ref --no-cache
expect_rc "reference run" 0 || true
norm_lines ref/samples.jsonl > ref.lines
norm_summary ref/summary.json > ref.summary
[ "$(wc -l < ref.lines)" = 120 ] || fail "reference: 120 lines"

# {====== kill -9 at 20 points, then resume ======
# The delays come from a seeded sequence over 30-630 ms.
seed=12345
resumed=0
for k in $(seq 1 20); do
  seed=$(( (seed * 1103515245 + 12345) % 2147483648 ))
  ms=$(( 30 + seed % 600 ))
  dir=kill$k
  $VALGRIND "$YS_BIN" run suite.lua -q -j 4 -o "$dir" --cache "cache$k.db" >/dev/null 2>&1 &
  pid=$!
  sleep "$(printf '0.%03d' "$ms")"
  kill -9 "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
  before=$(wc -l < "$dir/samples.jsonl" 2>/dev/null || echo 0)
  if [ ! -f "$dir/manifest.json" ]; then
    # Killed before the run directory existed: nothing to resume.
    continue
  fi
  if [ "$(json .status "$dir/manifest.json")" = complete ]; then
    cmp -s ref.lines "$(norm_lines "$dir/samples.jsonl" > k.lines && echo k.lines)" ||
      fail "kill $k (${ms} ms): finished before the kill, but differs"
    continue
  fi
  run_ys "resume$k" run --resume "$dir" -j 4 --cache "cache$k.db" -q
  expect_rc "resume after kill $k (${ms} ms, $before lines kept)" 0 || continue
  norm_lines "$dir/samples.jsonl" > got.lines
  cmp -s ref.lines got.lines ||
    fail "kill $k (${ms} ms): samples.jsonl differs from the uninterrupted run: $(diff ref.lines got.lines | head -4)"
  norm_summary "$dir/summary.json" > got.summary
  cmp -s ref.summary got.summary ||
    fail "kill $k (${ms} ms): summary differs: $(diff ref.summary got.summary | head -6)"
  [ "$(json .resumed "$dir/manifest.json")" = 1 ] || fail "kill $k: manifest 'resumed'"
  [ "$(json .status "$dir/manifest.json")" = complete ] || fail "kill $k: status"
  resumed=$((resumed + 1))
done
# Most kills must land inside the run, or the test proves little.
[ "$resumed" -ge 12 ] || fail "only $resumed of 20 kills interrupted the run"
# }======

# {====== a torn last line is dropped and redone ======
run_ys partial run suite.lua -q -j 4 -o torn --limit 10 --no-cache
head -n 7 torn/samples.jsonl > t && head -c 25 torn/samples.jsonl | tail -c 20 >> t
mv t torn/samples.jsonl
jq '.status = "running"' torn/manifest.json > m && mv m torn/manifest.json
rm torn/summary.json
run_ys torn run --resume torn -q --no-cache
expect_rc "resume after a torn line" 0 || true
grep -q "warning: samples.jsonl ended in an unfinished line; it was dropped and that task runs again" "$TMP/err" ||
  fail "torn line: no warning: $(cat "$TMP/err")"
head -n 20 ref.lines > ref20.lines
norm_lines torn/samples.jsonl > got.lines
cmp -s ref20.lines got.lines || fail "torn line: results differ: $(diff ref20.lines got.lines | head -4)"
# }======

# {====== Ctrl-C says how to resume ======
$VALGRIND "$YS_BIN" run suite.lua -q -j 2 -o ctrlc --no-cache >/dev/null 2>"$TMP/err" &
pid=$!
sleep 0.3
kill -INT "$pid"
if wait "$pid"; then RC=0; else RC=$?; fi
expect_rc "Ctrl-C" 130 || true
grep -q "; continue with: yardstick run --resume ctrlc\$" "$TMP/err" || fail "Ctrl-C: message: $(cat "$TMP/err")"
run_ys ctrlc-resume run --resume ctrlc -q --no-cache
expect_rc "resume after Ctrl-C" 0 || true
norm_lines ctrlc/samples.jsonl > got.lines
cmp -s ref.lines got.lines || fail "Ctrl-C then resume: results differ"
# }======

# {====== a file size limit (a full disk) stops the run, resumable ======
# ulimit -f counts 512- or 1024-byte blocks depending on the shell: either
# way 12 blocks hold part of the 120 lines, not all.
(ulimit -f 12; exec $VALGRIND "$YS_BIN" run suite.lua -q -j 4 -o full --no-cache) \
  >"$TMP/out" 2>"$TMP/err" && RC=0 || RC=$?
expect_rc "a file size limit" 3 || true
case "$(cat "$TMP/err")" in
  "yardstick: full/samples.jsonl: write failed: File too large (free some space, or raise the file size limit); after fixing this, continue with: yardstick run --resume full") ;;
  *) fail "file size limit: $(cat "$TMP/err")" ;;
esac
[ "$(json .status full/manifest.json)" = failed ] || fail "file size limit: manifest status"
run_ys full-resume run --resume full -q --no-cache
expect_rc "resume after the limit" 0 || true
norm_lines full/samples.jsonl > got.lines
cmp -s ref.lines got.lines || fail "file size limit then resume: results differ: $(diff ref.lines got.lines | head -4)"
# }======

# {====== what cannot be resumed ======
run_ys done run --resume ref -q
expect_rc "resume a finished run" 2 || true
[ "$(cat "$TMP/err")" = "yardstick: the run in ref finished (status complete): there is nothing to resume" ] ||
  fail "finished: $(cat "$TMP/err")"
run_ys norun run --resume nowhere -q
expect_rc "resume a missing run" 2 || true
[ "$(cat "$TMP/err")" = "yardstick: nowhere/manifest.json: cannot open: No such file or directory (is nowhere a run directory?)" ] ||
  fail "missing: $(cat "$TMP/err")"
run_ys limit run --resume ctrlc --limit 3
expect_rc "resume with --limit" 2 || true
[ "$(cat "$TMP/err")" = "yardstick: --resume continues a run with its own options: --limit cannot change them (see yardstick --help)" ] ||
  fail "--limit: $(cat "$TMP/err")"
# A changed suite or dataset.
cp -r ctrlc changed && jq '.status = "interrupted"' ctrlc/manifest.json > changed/manifest.json
sed 's/"m",/"m2",/' suite.lua > suite2.lua
run_ys changed-suite run --resume changed suite2.lua -q
expect_rc "resume with a changed suite" 2 || true
[ "$(cat "$TMP/err")" = "yardstick: suite2.lua: changed since the run in changed started: resuming would mix results of two suites; start a new run" ] ||
  fail "changed suite: $(cat "$TMP/err")"
echo '{"id": "s99", "title": "new", "label": "L1"}' >> data.jsonl
run_ys changed-data run --resume changed -q
expect_rc "resume with changed data" 2 || true
case "$(cat "$TMP/err")" in
  "yardstick: "*"data.jsonl: changed since the run in changed started: resuming would mix results of two datasets; start a new run") ;;
  *) fail "changed data: $(cat "$TMP/err")" ;;
esac
# }======

done_tests
