#!/bin/sh
# SPDX-License-Identifier: MIT
# The bad input corpus (tests/bad, described in tests/bad/README.md): every
# case runs yardstick once on a malformed input and must give exactly the
# expected exit status and the expected single line on stderr, within a time
# bound, without a signal or a core dump, and without leaving anything
# half-written that looks complete. A few cases are inputs accepted by
# design; they must succeed with the right data.
. "${YS_SRCDIR:-.}/tests/setup"
BAD=$YS_SRCDIR/tests/bad
# Seconds per command; generous, since the suite also runs under ASan.
LIMIT=${YS_BAD_TIMEOUT:-30}
# The messages must not depend on who runs the tests.
unset OPENAI_API_KEY ANTHROPIC_API_KEY OPENAI_BASE_URL ANTHROPIC_BASE_URL \
  YS_BAD_SERVER
cd "$TMP"

# {====== helpers for the cases' setup and check lines ======
# fill N CHAR: N copies of CHAR on stdout, to generate large inputs.
fill() {
  head -c "$1" /dev/zero | tr '\0' "$2"
}

# expect_jq FILTER FILE WANT: the compact results of FILTER over FILE,
# joined by blanks, must equal WANT.
expect_jq() {
  _got=$(jq -c "$1" "$2" | paste -sd' ' -)
  [ "$_got" = "$3" ] && return 0
  echo "      $2 | $1: got $_got, wanted $3" >&2
  return 1
}
# }======

# subst TEXT: TEXT with @SERVER@ replaced by the test server's URL.
subst() {
  printf '%s\n' "$1" | sed "s|@SERVER@|${SERVER:-@SERVER@}|g"
}

# same WANT GOT: GOT is WANT, where each @NUM@ in WANT stands for a whole
# number (a duration that varies from run to run).
same() {
  case $1 in
    *@NUM@*)
      _re=$(printf '%s\n' "$1" | sed -e 's/[][\\.*^$+?(){}|]/\\&/g' -e 's/@NUM@/[0-9]+/g')
      printf '%s\n' "$2" | grep -Eqx -- "$_re" ;;
    *) [ "$1" = "$2" ] ;;
  esac
}

SERVER_STATE=
# need_server: starts the test server once; fails when it cannot run.
need_server() {
  [ "$SERVER_STATE" = up ] && return 0
  [ "$SERVER_STATE" = none ] && return 1
  if [ -z "${YS_TESTSERVER:-}" ] || [ ! -x "$YS_TESTSERVER" ]; then
    SERVER_STATE=none
    return 1
  fi
  start_server
  YS_BAD_SERVER=$SERVER
  export YS_BAD_SERVER
  SERVER_STATE=up
}

# A finished run for the cases that break a run directory ("needs: run"):
# two models, a gate that holds.
mkdir base
cp -R "$BAD/common/." base/
if ! (cd base && ys run run-suite.lua -q -o run) >/dev/null 2>base.err; then
  fail "the base run failed: $(cat base.err)"
  done_tests
fi

NCASES=0
NSKIP=0
# run_case NAME: runs tests/bad/NAME and checks everything about it.
run_case() {
  _name=$1
  _dir=$BAD/$_name
  _args='' _rc='' _err='' _err_set='' _setup='' _check='' _absent=''
  _serr='' _needs='' _server=''
  while IFS= read -r _line || [ -n "$_line" ]; do
    _val=${_line#*:}
    _val=${_val# }
    case $_line in
      '#'* | '') ;;
      args:*) _args=$_val ;;
      rc:*) _rc=$_val ;;
      stderr:*) _err=$_val _err_set=1 ;;
      sample-error:*) _serr=$_val ;;
      setup:*) _setup="$_setup$_val
" ;;
      check:*) _check="$_check$_val
" ;;
      absent:*) _absent="$_absent $_val" ;;
      needs:*) _needs=$_val ;;
      server:*) _server=$_val ;;
      *) fail "$_name: case: cannot read the line '$_line'"; return 0 ;;
    esac
  done < "$_dir/case"
  if [ -z "$_args" ] || [ -z "$_rc" ] || [ -z "$_err_set" ]; then
    fail "$_name: case needs args, rc and stderr"
    return 0
  fi
  if [ -n "$_server" ]; then
    if ! need_server; then
      echo "SKIP: $_name (no test server)"
      NSKIP=$((NSKIP + 1))
      return 0
    fi
    # Counters, attempt counts and completion ids start afresh.
    curl -s -X POST "$SERVER/stats/reset" >/dev/null ||
      fail "$_name: cannot reset the test server"
  fi
  NCASES=$((NCASES + 1))

  # The case's directory: the common files, the base run if it needs one,
  # then the case's own files over them.
  _w=$TMP/cases/$_name
  mkdir -p "$_w"
  cp -R "$BAD/common/." "$_w/"
  [ "$_needs" = run ] && cp -R base/run "$_w/run"
  cp -R "$_dir/." "$_w/"
  rm -f "$_w/case"
  if [ -n "$_setup" ] && ! (cd "$_w" && eval "$_setup"); then
    fail "$_name: setup failed"
    rm -rf "$_w"
    return 0
  fi

  _args=$(subst "$_args")
  _err=$(subst "$_err")
  _serr=$(subst "$_serr")
  _out=$TMP/$_name.out
  _errf=$TMP/$_name.err
  # shellcheck disable=SC2086
  if (cd "$_w" && eval "set -- $_args" &&
      exec timeout -k 5 "$LIMIT" $VALGRIND "$YS_BIN" "$@") \
      >"$_out" 2>"$_errf"; then
    _got=0
  else
    _got=$?
  fi
  _nfail=$NFAIL

  # It ended by itself, within the time bound, without a signal.
  if [ "$_got" = 124 ] || [ "$_got" = 137 ]; then
    fail "$_name: did not finish within $LIMIT s (hangs?)"
  elif [ "$_got" -gt 128 ] && [ "$_got" != "$_rc" ]; then
    fail "$_name: killed by signal $((_got - 128)): $(head -c 600 "$_errf")"
  elif [ "$_got" != "$_rc" ]; then
    fail "$_name: exit status $_got, expected $_rc; stderr: $(head -c 600 "$_errf")"
  fi
  if find "$_w" -name 'core' -o -name 'core.[0-9]*' | grep -q .; then
    fail "$_name: left a core dump"
  fi

  # stderr: exactly the expected line, or nothing.
  if [ -z "$_err" ]; then
    [ -s "$_errf" ] && fail "$_name: wrote to stderr: $(head -c 600 "$_errf")"
  else
    _lines=$(wc -l < "$_errf")
    if [ "$_lines" -ne 1 ] || [ "$(head -c 1 "$_errf" | wc -c)" -eq 0 ]; then
      fail "$_name: expected one line on stderr, got $_lines: $(head -c 600 "$_errf")"
    elif ! same "$_err" "$(cat "$_errf")"; then
      fail "$_name: wrong message"
      echo "      got    '$(head -c 600 "$_errf")'" >&2
      echo "      wanted '$_err'" >&2
    fi
  fi
  # A failure prints no partial output.
  if [ "$_got" != 0 ] && [ "$_got" != 1 ] && [ -s "$_out" ]; then
    fail "$_name: exit status $_got but wrote to stdout: $(head -c 300 "$_out")"
  fi

  # Nothing half-written is presented as complete.
  _m=$_w/out/manifest.json
  case "$_args" in
    run\ *)
      if [ "$_rc" = 2 ]; then
        for _d in out runs; do
          [ -e "$_w/$_d" ] && fail "$_name: a usage, suite or data error created $_d/"
        done
      fi
      if [ -f "$_m" ]; then
        _st=$(jq -r .status "$_m" 2>/dev/null || echo unreadable)
        case "$_got:$_st" in
          [01]:complete) ;;
          3:failed)
            [ -e "$_w/out/summary.json" ] && fail "$_name: a failed run wrote summary.json" ;;
          3:incomplete)
            [ "$(jq -r .status "$_w/out/summary.json" 2>/dev/null)" = incomplete ] ||
              fail "$_name: an incomplete run has no summary.json saying so" ;;
          *) fail "$_name: exit status $_got with a manifest saying '$_st'" ;;
        esac
      fi ;;
  esac
  _tmps=$(find "$_w" -name '*.tmp*' -o -name '.tmp*' | head -3)
  [ -n "$_tmps" ] && fail "$_name: left temporary files: $_tmps"
  for _p in $_absent; do
    [ -e "$_w/$_p" ] && fail "$_name: $_p exists after the failure"
  done

  # The error recorded for the first failed task.
  if [ -n "$_serr" ]; then
    _gotserr=$(jq -r 'select(.status == "error") | .error' "$_w/out/samples.jsonl" 2>/dev/null | head -n 1)
    if ! same "$_serr" "$_gotserr"; then
      fail "$_name: wrong task error in out/samples.jsonl"
      echo "      got    '$(printf '%s' "$_gotserr" | head -c 600)'" >&2
      echo "      wanted '$_serr'" >&2
    fi
  fi
  # What the case checks about the data.
  if [ -n "$_check" ]; then
    _check=$(subst "$_check")
    (cd "$_w" && eval "$_check") || fail "$_name: a check failed"
  fi

  [ "$NFAIL" = "$_nfail" ] && echo "ok $_name"
  rm -rf "$_w" "$_out" "$_errf"
  return 0
}

for _c in "$BAD"/*/case; do
  [ -f "$_c" ] || continue
  _n=${_c%/case}
  run_case "${_n##*/}"
done
[ "$NCASES" -ge 60 ] || fail "only $NCASES cases ran (expected at least 60)"
echo "$NCASES cases, $NSKIP skipped, $NFAIL check(s) failed"
done_tests
