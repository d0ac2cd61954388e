#!/bin/sh
# SPDX-License-Identifier: MIT
# yardstick report: every format from real run directories (the report
# fixture with its hostile outputs, a run without gates, an incomplete
# one, the recorded-output suite and the example suite), -o FILE, bad
# run directories and formats, write failures that must leave no file,
# and the HTML page rendered in headless Chromium without a console
# message. Without Chromium the browser part is skipped (exit 77) once
# everything else has passed.
. "${YS_SRCDIR:-.}/tests/setup"
DATA=$YS_TESTDATA/report
cd "$TMP"

# {====== the runs ======
run_ys fixture run -q "$DATA/suite.lua" -o fx
expect_rc "fixture run (one gate fails)" 1 || true
run_ys replay run -q "$YS_TESTDATA/suites/replay.lua" -o rp
expect_rc "replay run" 0 || true
# Variants of the fixture, beside copies of its data.
mkdir inc nog
cp "$DATA/records.jsonl" "$DATA/outputs.jsonl" inc/
cp "$DATA/records.jsonl" "$DATA/outputs.jsonl" nog/
sed 's/max_error_rate = 0.25/max_error_rate = 0/' "$DATA/suite.lua" > inc/suite.lua
sed '/^  gates = {/,/^  },/d' "$DATA/suite.lua" > nog/suite.lua
run_ys incomplete run -q inc/suite.lua -o incrun
expect_rc "incomplete run" 3 || true
run_ys nogates run -q nog/suite.lua -o nogrun
expect_rc "run without gates" 0 || true
[ "$(json '.gates | length' nogrun/summary.json)" = 0 ] || fail "nogates: the suite still has gates"
# }======

# {====== each format, to stdout and with -o ======
for f in json csv junit md html; do
  run_ys "$f" report fx --format "$f"
  expect_rc "report --format $f" 0 || continue
  [ -s "$TMP/err" ] && fail "report --format $f: stderr: $(cat "$TMP/err")"
  [ -s "$TMP/out" ] || fail "report --format $f: nothing written"
  cp "$TMP/out" "stdout.$f"
  run_ys "$f -o" report fx -o "fx.$f" --format "$f"
  expect_rc "report --format $f -o" 0 || continue
  [ -s "$TMP/out" ] && fail "report -o $f: wrote to stdout too"
  cmp -s "fx.$f" "stdout.$f" || fail "report -o $f: differs from stdout"
done
# }======

# {====== json ======
jq -e '.report == 1 and .status == "complete" and .outcome == "gate_failed"
       and .gates_failed == 1 and (.gates | length) == 2
       and .gates[1].description == "extractor json_valid >= 0.9: 0.25 [0.07148, 0.5907], n=8"
       and .summary.run_id == "fx" and .manifest.suite.name == "report-fixture"' \
  fx.json >/dev/null || fail "json: unexpected document: $(head -c 300 fx.json)"
run_ys json-inc report incrun --format json
[ "$(json .outcome "$TMP/out")" = incomplete ] || fail "json: incomplete outcome"
run_ys json-nog report nogrun --format json
[ "$(json .outcome "$TMP/out")" = pass ] || fail "json: pass outcome"
# }======

# {====== csv ======
printf 'id,repeat,model,status,error,output,cost,latency_ms,field_completeness.share,field_completeness.name,field_completeness.city,field_completeness.zip,json_valid,names_who\r\n' > want.head
head -n 1 fx.csv | cmp -s - want.head || fail "csv: header: $(head -n 1 fx.csv)"
grep -q "^r3,1,extractor,ok,,\"'=HYPERLINK(\"\"http://example.invalid\"\",\"\"click\"\")\",0.00051," fx.csv ||
  fail "csv: the formula in r3 is not guarded and quoted"
grep -q "^r8,1,extractor,ok,,\"'-{\"\"name\"\": \"\"@carol\"\"" fx.csv || fail "csv: r8 not guarded"
grep -q '^r5,1,extractor,error,"replay: recorded error: HTTP 503 <b>busy</b> | ""retry"" & wait",,0,' fx.csv ||
  fail "csv: the errored task"
# r6's output holds CRLF: the record spans two lines.
[ "$(grep -c '^Done, ""ok""?",' fx.csv)" = 1 ] || fail "csv: r6's CRLF inside its quoted output"
# 16 tasks and a header; r6 and r7 continue on a second line each.
[ "$(wc -l < fx.csv)" -eq 19 ] || fail "csv: $(wc -l < fx.csv) lines, expected 19"
# }======

# {====== junit ======
if command -v xmllint >/dev/null 2>&1; then
  for r in fx incrun nogrun rp; do
    ys report "$r" --format junit > "$r.xml" 2>/dev/null || fail "junit $r: failed"
    xmllint --noout "$r.xml" 2>xmllint.err || fail "junit $r: not well-formed: $(head -3 xmllint.err)"
  done
else
  echo "note: xmllint not found (Debian: libxml2-utils): JUnit well-formedness is checked by tests/check_report only" >&2
  for r in incrun nogrun; do ys report "$r" --format junit > "$r.xml"; done
fi
grep -q '<testsuite name="report-fixture" tests="2" failures="1" errors="0"' fx.junit || fail "junit: counts"
grep -q '<failure type="gate" message="extractor json_valid &gt;= 0.9: 0.25 \[0.07148, 0.5907\], n=8">' fx.junit ||
  fail "junit: the failed gate's message"
grep -q 'tests="3" failures="1" errors="1"' incrun.xml || fail "junit: an incomplete run is an error"
grep -q '<error type="incomplete" message="the run is incomplete: 3 of 16 tasks had an error' incrun.xml ||
  fail "junit: the incomplete run's message"
grep -q '<testsuite name="report-fixture" tests="0" failures="0" errors="0"' nogrun.xml || fail "junit: no gates, no tests"
# }======

# {====== markdown ======
grep -q '^### ❌ report-fixture: 1 of 2 gates failed$' fx.md || fail "md: heading"
grep -q '^| ❌ | extractor json\\_valid \\>= 0.9 | 0.25 \\\[0.07148, 0.5907\\\], n=8 |$' fx.md || fail "md: failed gate row"
grep -q '^| ✅ | human field\\_completeness.share \\>= 0.8 |' fx.md || fail "md: passing gate row"
grep -q '^| human | 0.958 \[0.875, 1.000\] |' fx.md || fail "md: model row"
run_ys md-nog report nogrun --format md
grep -q '^### ✅ report-fixture: complete, no gates$' "$TMP/out" || fail "md: no gates heading"
run_ys md-inc report incrun --format md
grep -q '^### ❌ report-fixture: the run did not complete (incomplete)$' "$TMP/out" || fail "md: incomplete heading"
# }======

# {====== html ======
grep -q '&lt;script&gt;alert(&quot;pwned&quot;)&lt;/script&gt;' fx.html || fail "html: the output is not escaped"
[ "$(grep -c '<script' fx.html)" = 1 ] || fail "html: more than the page's own script"
grep -Eq '(src|href)=' fx.html && fail "html: loads something"
grep -q "Content-Security-Policy\" content=\"default-src 'none'" fx.html || fail "html: no CSP"
ys report rp --format html -o rp.html || fail "html: replay run"
grep -q 'taxonomy_depth by level' rp.html || fail "html: no level chart"
# }======

# {====== bad input and write failures ======
# one_line NAME WANT_RC PATTERN: one line on stderr, matching PATTERN.
one_line() {
  expect_rc "$1" "$2" || return 0
  [ "$(wc -l < "$TMP/err")" -eq 1 ] || fail "$1: expected one line on stderr: $(cat "$TMP/err")"
  # shellcheck disable=SC2254
  case "$(cat "$TMP/err")" in
    $3) ;;
    *) fail "$1: got '$(cat "$TMP/err")'" ;;
  esac
  [ -s "$TMP/out" ] && fail "$1: wrote to stdout"
  return 0
}
mkdir notarun
run_ys notarun report notarun --format json
one_line "not a run directory" 2 "yardstick: notarun/manifest.json: cannot open: No such file or directory (is notarun a finished run directory?)"
run_ys missing report nothere --format md
one_line "missing directory" 2 "yardstick: nothere/manifest.json: cannot open: *"
mkdir broken && cp fx/manifest.json fx/samples.jsonl broken/ && echo '{"suite":' > broken/summary.json
run_ys broken report broken --format md
one_line "broken summary.json" 2 "yardstick: broken/summary.json: not a JSON object"
run_ys format report fx --format pdf
one_line "unknown format" 2 "yardstick: unknown report format 'pdf' (expected json, csv, junit, md or html)"
run_ys noformat report fx
one_line "no format" 2 "yardstick: report needs a run directory and a format: *"
# -o under a file: nothing can be created there.
: > plainfile
run_ys unwritable report fx --format html -o plainfile/report.html
one_line "unwritable -o" 2 "yardstick: plainfile/report.html: cannot write: Not a directory"
run_ys nodir report fx --format csv -o nodir/report.csv
one_line "-o in a missing directory" 2 "yardstick: nodir/report.csv: cannot write: No such file or directory"
[ -e nodir ] && fail "-o in a missing directory: created it"
# A full disk: stdout on /dev/full.
if [ -w /dev/full ]; then
  for f in json csv junit md html; do
    if ys report fx --format "$f" > /dev/full 2> "$TMP/err"; then RC=0; else RC=$?; fi
    : > "$TMP/out"
    one_line "write failure ($f)" 3 "yardstick: cannot write the $f report: No space left on device"
  done
fi
# Failed reports left no file behind, temporary or not.
ls -a plainfile* nodir* 2>/dev/null | grep -v '^plainfile$' && fail "a failed report left a file"
ls -a | grep -q '\.tmp\.' && fail "a temporary file was left: $(ls -a | grep '\.tmp\.')"
# }======

# {====== the page in a real browser ======
CHROMIUM=
for c in chromium chromium-browser google-chrome; do
  if command -v "$c" >/dev/null 2>&1; then CHROMIUM=$(command -v "$c"); break; fi
done
if [ -z "$CHROMIUM" ]; then
  if [ "$NFAIL" -ne 0 ]; then done_tests; fi
  echo "SKIP: the HTML report's browser check needs Chromium (Debian: apt-get install chromium); every other check passed" >&2
  exit 77
fi

# in_browser NAME FILE CHARTS: loads FILE in headless Chromium; the page's
# script must have run (data-report="ready") and drawn at least CHARTS
# charts, with no console message (script errors, blocked loads).
in_browser() {
  rm -rf "$TMP/chrome"
  if timeout 120 "$CHROMIUM" --headless --no-sandbox --disable-gpu \
       --no-first-run --disable-dev-shm-usage --user-data-dir="$TMP/chrome" \
       --enable-logging=stderr \
       --v=0 --dump-dom "file://$TMP/$2" > "$TMP/dom" 2> "$TMP/chrome.err"; then
    _rc=0
  else
    _rc=$?
  fi
  if [ "$_rc" -ne 0 ]; then
    fail "$1: chromium exited with $_rc: $(grep -v dbus "$TMP/chrome.err" | tail -3)"
    return 0
  fi
  grep -q 'data-report="ready"' "$TMP/dom" || fail "$1: the page's script did not finish"
  _charts=$(sed -n 's/.*data-charts="\([0-9]*\)".*/\1/p' "$TMP/dom" | head -n 1)
  [ "${_charts:-0}" -ge "$3" ] || fail "$1: ${_charts:-no} charts drawn, expected $3"
  if grep -q ':CONSOLE' "$TMP/chrome.err"; then
    fail "$1: console messages: $(grep ':CONSOLE' "$TMP/chrome.err" | head -3)"
  fi
  grep -q '<script>alert' "$TMP/dom" && fail "$1: an output became markup"
  return 0
}
# 6 metric bars, the heat map, the cost chart and the latency chart.
in_browser "fixture page" fx.html 9
# 4 bars, the level chart, the cost chart and the latency chart.
in_browser "replay page" rp.html 7
run_ys example run -q "$YS_SRCDIR/suites/product-categorization/suite.lua" -o pc
expect_rc "example suite" 0 || true
ys report pc --format html -o pc.html || fail "html: example run"
in_browser "example page" pc.html 7
# }======

done_tests
