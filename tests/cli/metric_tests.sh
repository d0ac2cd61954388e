#!/bin/sh
# SPDX-License-Identifier: MIT
# Compact metric tests: every shipped metric's tests/metrics/*.test pass,
# and `yardstick --run-tests` itself reports failures, counts blocks and
# refuses bad files.
. "${YS_SRCDIR:-.}/tests/setup"
cd "$TMP"

# {====== the shipped metrics' tests ======
run_ys shipped --run-tests "$YS_SRCDIR"/tests/metrics/*.test
expect_rc "shipped metric tests" 0 || true
tail -n 1 "$TMP/out" | grep -Eq '^all: [0-9]+ tests, 0 failed$' ||
  fail "shipped metric tests: $(tail -n 1 "$TMP/out")"
# Every shipped metric has a test file.
for m in "$YS_SRCDIR"/metrics/*.lua; do
  name=$(basename "$m" .lua)
  [ -f "$YS_SRCDIR/tests/metrics/$name.test" ] || fail "no tests/metrics/$name.test"
done
# }======

# {====== failures are reported, one per block ======
cat > bad.test <<'T'
# a wrong score
exact_match
{"output": "Paris", "expected": "Rome"}
{"exact_match": 1}

# right
exact_match
{"output": "Rome", "expected": "Rome"}
{"exact_match": 1}

# two wrong checks in one block
exact_match
{"output": "Paris", "expected": "Rome"}
{"exact_match": 1, "detail": {"x": 1}}

# an error expected, a score given
exact_match
{"output": "Rome", "expected": "Rome"}
error: no such thing

# a %%FAIL block whose metric loads
%%FAIL
exact_match
metric 'exact_match': something

# a block of two lines
exact_match
{"output": "Rome"}
T
run_ys bad --run-tests bad.test
expect_rc "failing tests" 1 || true
[ "$(cat "$TMP/out")" = "bad.test: 6 tests, 5 failed" ] || fail "failing tests: summary: $(cat "$TMP/out")"
grep -qx "bad.test:4: 'exact_match': expected 1, got 0" "$TMP/err" || fail "failing tests: wrong score: $(cat "$TMP/err")"
grep -q "^bad.test:14: detail: expected {\"x\":1}" "$TMP/err" || fail "failing tests: detail"
grep -qx "bad.test:19: expected an error containing 'no such thing', but it scored" "$TMP/err" || fail "failing tests: error expected"
grep -qx "bad.test:23: expected the error 'metric 'exact_match': something', but the metric loaded" "$TMP/err" || fail "failing tests: %%FAIL"
grep -qx "bad.test:27: a block needs three lines: metric, input, expected" "$TMP/err" || fail "failing tests: short block"
# }======

# {====== ctx keys are checked ======
cat > ctx.test <<'T'
latency {"source": "elapsed"}
{"output": "x", "ctx": {"elapsed_ms": 40, "usage": {"latency_ms": 7, "calls": 2}}}
{"latency": 40}

latency
{"output": "x", "ctx": {"sytem": "typo"}}
{"latency": 0}

latency
{"output": "x", "ctx": {"usage": {"latncy_ms": 1}}}
{"latency": 0}

latency
{"output": "x", "ctx": {"repeat": 0}}
{"latency": 0}
T
run_ys ctx --run-tests ctx.test
expect_rc "ctx keys" 1 || true
[ "$(cat "$TMP/out")" = "ctx.test: 4 tests, 3 failed" ] || fail "ctx keys: $(cat "$TMP/out") $(cat "$TMP/err")"
grep -qx "ctx.test:6: unknown key ctx.sytem (id, model, repeat, system, prompt, elapsed_ms, usage, replies)" "$TMP/err" || fail "ctx keys: unknown key: $(cat "$TMP/err")"
grep -qx "ctx.test:10: unknown key ctx.usage.latncy_ms (calls, input_tokens, output_tokens, cache_hits, latency_ms, cost)" "$TMP/err" || fail "ctx keys: unknown usage key"
grep -qx "ctx.test:14: ctx.repeat must be a whole number from 1" "$TMP/err" || fail "ctx keys: repeat"
# }======

# {====== bad files: exit 2 ======
run_ys missing --run-tests no-such.test
expect_rc "missing test file" 2 || true
[ "$(cat "$TMP/err")" = "yardstick: no-such.test: cannot open: No such file or directory" ] || fail "missing test file: $(cat "$TMP/err")"
printf '# only comments\n\n' > empty.test
run_ys empty --run-tests empty.test
expect_rc "empty test file" 2 || true
grep -q "empty.test: no tests in the file" "$TMP/err" || fail "empty test file: $(cat "$TMP/err")"
mkdir adir.test
run_ys dir --run-tests adir.test
expect_rc "a directory" 2 || true
grep -q "adir.test: cannot read: Is a directory" "$TMP/err" || fail "a directory: $(cat "$TMP/err")"
run_ys none --run-tests
expect_rc "no files" 2 || true
# }======

done_tests
