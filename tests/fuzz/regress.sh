#!/bin/sh
# SPDX-License-Identifier: MIT
# tests/fuzz/regress.sh: replays every saved fuzz input through its target
# built with the standalone driver (tests/fuzz/driver.c): the seed corpora
# in tests/fuzz/corpus/<target>/ and the reproducers of fixed findings in
# tests/fuzz/regress/<target>/. A crash, a sanitizer report or a leak
# fails it; the log names the input that was running.
. "${YS_SRCDIR:-.}/tests/setup"
# The replay programs are in the build tree, next to the binary.
BUILD=${YS_BIN%/*}
FUZZ=$YS_SRCDIR/tests/fuzz
# Inputs must never depend on who runs them.
unset OPENAI_API_KEY ANTHROPIC_API_KEY OPENAI_BASE_URL ANTHROPIC_BASE_URL \
  YARDSTICK_INSTRUCTION_LIMIT
# Leaks fail the sanitizer build too, as they fail libFuzzer.
ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1}
export ASAN_OPTIONS
TMPDIR=$TMP
export TMPDIR

for t in jsonl csv template provider suite; do
  prog=$BUILD/tests/fuzz/replay_$t
  if [ ! -x "$prog" ]; then
    fail "$t: $prog is not built"
    continue
  fi
  dirs=
  for d in "$FUZZ/corpus/$t" "$FUZZ/regress/$t"; do
    [ -d "$d" ] && dirs="$dirs $d"
  done
  if [ -z "$dirs" ]; then
    fail "$t: no corpus in $FUZZ/corpus/$t"
    continue
  fi
  # shellcheck disable=SC2086 # $dirs is a list of paths without blanks
  if $VALGRIND "$prog" $dirs >"$TMP/$t.out" 2>"$TMP/$t.err"; then
    echo "$t: $(tail -n 1 "$TMP/$t.out")"
  else
    fail "$t: the replay failed on $(tail -n 1 "$TMP/$t.out")"
    tail -n 40 "$TMP/$t.err" >&2
  fi
  # The targets clean up their temporary directories.
  left=$(find "$TMP" -maxdepth 1 -name 'yardstick-fuzz-*' | head -n 1)
  if [ -n "$left" ]; then
    fail "$t: left $left behind"
    rm -rf "$TMP"/yardstick-fuzz-*
  fi
done
done_tests
