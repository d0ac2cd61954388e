#!/bin/sh
# SPDX-License-Identifier: MIT
# Ctrl-C and SIGTERM: the first stops the run cleanly (finished results
# written, whole lines only, manifest says "interrupted", exit 130); a
# second one ends the process at once.
. "${YS_SRCDIR:-.}/tests/setup"
cd "$TMP"
SLOW=$YS_TESTDATA/suites/slow.lua

# interrupt SIG NAME: runs the slow suite (12 samples x 150 ms at -j 2,
# about 0.9 s) and sends SIG after 0.4 s.
interrupt() {
  _sig=$1
  _dir=$2
  # Not through ys(): $! must be yardstick's own pid.
  $VALGRIND "$YS_BIN" run "$SLOW" -q -j 2 -o "$_dir" >"$TMP/out" 2>"$TMP/err" &
  _pid=$!
  sleep 0.4
  kill "-$_sig" "$_pid"
  if wait "$_pid"; then RC=0; else RC=$?; fi
}

for sig in INT TERM; do
  interrupt "$sig" "run-$sig"
  expect_rc "SIG$sig" 130 || continue
  [ "$(json '.status' "run-$sig/manifest.json")" = interrupted ] ||
    fail "SIG$sig: manifest status"
  n=$(wc -l < "run-$sig/samples.jsonl")
  [ "$n" -ge 1 ] && [ "$n" -lt 12 ] || fail "SIG$sig: $n lines written"
  jq -e . "run-$sig/samples.jsonl" >/dev/null || fail "SIG$sig: a line is not JSON"
  # Lines are whole and in dataset order.
  [ "$(jq -r .id "run-$sig/samples.jsonl" | tr '\n' ' ')" = \
    "$(printf 'p%02d ' $(seq 1 "$n"))" ] || fail "SIG$sig: order"
  grep -q "^yardstick: interrupted: $n of 12 tasks written to run-$sig/samples.jsonl" \
    "$TMP/err" || fail "SIG$sig: message: $(cat "$TMP/err")"
done

# A second signal ends the run at once (killed by the signal: 130 from the
# shell), leaving whole lines only.
SLOW_MS=2000 $VALGRIND "$YS_BIN" run "$SLOW" -q -j 1 -o twice >"$TMP/out" 2>"$TMP/err" &
pid=$!
sleep 0.3
kill -INT "$pid"
sleep 0.1
kill -INT "$pid" 2>/dev/null || true
if wait "$pid"; then RC=0; else RC=$?; fi
expect_rc "two signals" 130 || true
if [ -s twice/samples.jsonl ]; then
  jq -e . twice/samples.jsonl >/dev/null || fail "two signals: torn line"
fi

done_tests
