#!/bin/sh
# SPDX-License-Identifier: MIT
# data-lint.sh [-n ROWS] [--build DIR] [--keep DIR] [--embed]
# Times `yardstick data lint` on a generated product-categorization
# dataset (default 1,000,000 rows of JSONL) and reports wall time and peak
# RSS from /usr/bin/time -v. The rows come from a Park-Miller PRNG in awk,
# so the same ROWS give the same bytes: titles and descriptions drawn from
# small vocabularies, 24 categories, and every 1000th row planted as an
# exact copy, every 1000th (offset 500) as a near copy of an earlier row.
# With --embed, near-duplicates come from the build's test server's
# embeddings endpoint (tests/server/ys-testserver, 256 dimensions).
# Prints the figures for bench/RESULTS.md.
set -eu
n=1000000
build=.
keep=
embed=
while [ $# -gt 0 ]; do
  case $1 in
    -n) n=$2; shift 2 ;;
    --build) build=$2; shift 2 ;;
    --keep) keep=$2; shift 2 ;;
    --embed) embed=1; shift ;;
    *) echo "usage: data-lint.sh [-n ROWS] [--build DIR] [--keep DIR] [--embed]" >&2
       exit 2 ;;
  esac
done
case $n in ''|*[!0-9]*) echo "data-lint.sh: -n needs a whole number" >&2; exit 2;; esac
ys=$build/yardstick
[ -x "$ys" ] || { echo "data-lint.sh: no yardstick binary in $build" >&2; exit 2; }
[ -x /usr/bin/time ] || { echo "data-lint.sh: needs /usr/bin/time (GNU time)" >&2; exit 2; }
dir=${keep:-$(mktemp -d "${TMPDIR:-/tmp}/ys-data-bench.XXXXXX")}
mkdir -p "$dir"
server_pid=
cleanup() {
  [ -z "$server_pid" ] || kill "$server_pid" 2>/dev/null || true
  [ -n "$keep" ] || rm -rf "$dir"
}
trap cleanup EXIT INT TERM
data=$dir/products.jsonl

awk -v n="$n" '
function rnd() { seed = (seed * 16807) % 2147483647; return seed / 2147483647 }
function r(k) { return int(rnd() * k) + 1 }
BEGIN {
  seed = 20261126
  nc = split("Apparel & Accessories > Clothing > Shirts & Tops|Apparel & Accessories > Clothing > Dresses|Apparel & Accessories > Shoes|Apparel & Accessories > Handbags|Electronics > Audio > Headphones|Electronics > Computers > Laptops|Electronics > Communications > Telephony > Mobile Phones|Electronics > Video > Televisions|Home & Garden > Kitchen & Dining > Cookware|Home & Garden > Kitchen & Dining > Tableware|Home & Garden > Lawn & Garden > Gardening|Home & Garden > Decor > Clocks|Sporting Goods > Exercise & Fitness > Yoga & Pilates|Sporting Goods > Outdoor Recreation > Camping & Hiking > Tents|Sporting Goods > Outdoor Recreation > Cycling > Bicycles|Toys & Games > Puzzles|Toys & Games > Toys > Building Toys|Health & Beauty > Personal Care > Cosmetics|Health & Beauty > Personal Care > Hair Care|Animals & Pet Supplies > Pet Supplies > Dog Supplies|Office Supplies > Office Instruments > Writing Instruments|Furniture > Chairs|Furniture > Tables|Luggage & Bags > Backpacks", cat, "|")
  nb = split("acme northwind contoso globex initech umbrella hooli stark wayne tyrell cyberdyne soylent massive vandelay gringotts oscorp", brand, " ")
  nw = split("soft durable lightweight premium classic compact waterproof breathable ergonomic rechargeable wireless portable stainless organic handmade vintage modern slim heavy quiet fast warm cool bright dark large small round square long short cotton leather steel wooden glass ceramic plastic bamboo wool silk nylon black white blue red green grey pink navy beige brown gold silver with for and in of the a set pack kit pair piece size color style design edition model series version", w, " ")
  for (i = 1; i <= n; i++) {
    if (i > 1000 && i % 1000 == 0) {
      # an exact copy of an earlier row, under a new id
      j = i - r(999)
      printf "{\"id\":\"p%07d\",%s\n", i, body[j % 4096]
      continue
    }
    t = brand[r(nb)]
    for (k = 0; k < 6; k++) t = t " " w[r(nw)]
    d = ""
    for (k = 0; k < 24; k++) d = d (k ? " " : "") w[r(nw)]
    b = sprintf("\"title\":\"%s\",\"description\":\"%s\",\"category\":\"%s\"}", t, d, cat[r(nc)])
    if (i > 1000 && i % 1000 == 500) {
      # a near copy: an earlier row with one word of its description changed
      j = i - r(400)
      b = body[j % 4096]
      sub(/"description":"[a-z]+/, "\"description\":\"changed", b)
    }
    body[i % 4096] = b
    printf "{\"id\":\"p%07d\",%s\n", i, b
  }
}' >"$data"

bytes=$(wc -c <"$data")
set -- --label category --json
if [ -n "$embed" ]; then
  server=$build/tests/server/ys-testserver
  [ -x "$server" ] || { echo "data-lint.sh: no test server in $build" >&2; exit 2; }
  rm -f "$dir/port"
  "$server" --port-file "$dir/port" --quiet >/dev/null &
  server_pid=$!
  i=0
  while [ ! -s "$dir/port" ] && [ $i -lt 100 ]; do sleep 0.05; i=$((i + 1)); done
  set -- "$@" --embed-url "http://127.0.0.1:$(cat "$dir/port")/v1" \
    --embed-model bow --embed-batch 256
fi
cmd="yardstick data lint products.jsonl $*"
/usr/bin/time -v "$ys" data lint "$data" "$@" \
  >"$dir/report.json" 2>"$dir/time.txt" || rc=$?
rc=${rc:-0}
if [ "$rc" -gt 1 ]; then
  cat "$dir/time.txt" >&2
  echo "data-lint.sh: yardstick failed with status $rc" >&2
  exit 1
fi
wall=$(sed -n 's/.*Elapsed (wall clock) time (h:mm:ss or m:ss): //p' "$dir/time.txt")
rss=$(sed -n 's/.*Maximum resident set size (kbytes): //p' "$dir/time.txt")
counts=$(jq -c .counts "$dir/report.json")
texts=$(jq .near_duplicates.texts "$dir/report.json")
echo "rows: $n ($bytes bytes of JSONL)"
echo "command: $cmd"
echo "exit status: $rc"
echo "wall time (m:ss): $wall"
echo "peak RSS: $rss KiB ($(awk -v k="$rss" -v n="$n" 'BEGIN { printf "%.0f bytes per row", k * 1024 / n }'))"
echo "distinct texts signed: $texts"
echo "counts: $counts"
