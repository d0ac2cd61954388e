#!/bin/sh
# SPDX-License-Identifier: MIT
# gen-scale.sh N OUT.jsonl [M OUT.csv]
# The scale workload's data: N rows of recorded answers to a product
# categorization task, as JSONL ({"id", "title", "category", "pred"}), and
# optionally its first M rows as CSV (id,title,category,pred) for
# promptfoo. Deterministic (a Park-Miller PRNG in awk): same N, same
# bytes. The taxonomy has 12 top levels, 6 second and 5 third levels under
# each (360 categories); the answers are right (75%), right but wrapped in
# quotes, lower-cased, padded or followed by a period (3% each), or wrong
# at the third (7%), second (3%) or first (3%) level.
# Also writes OUT.jsonl.expected (and OUT.csv.expected): "rows level1
# level2 level3 exact", how many rows each score of taxonomy_depth
# (ignore_case on) and exact_match (its defaults) gives 1, computed here
# from what each row is, so the benchmark checks the tools' answers.
set -eu
if [ $# -ne 2 ] && [ $# -ne 4 ]; then
  echo "usage: gen-scale.sh N OUT.jsonl [M OUT.csv]" >&2
  exit 2
fi
n=$1 out=$2 m=${3:-0} csv=${4:-}
for v in "$n" "$m"; do
  case $v in ''|*[!0-9]*) echo "gen-scale.sh: N and M must be whole numbers" >&2; exit 2;; esac
done
[ "$m" -le "$n" ] || { echo "gen-scale.sh: M must not exceed N" >&2; exit 2; }
tmp="$out.tmp.$$"
awk -v n="$n" -v m="$m" -v out="$tmp" -v csv="${csv:+$csv.tmp}" '
function rnd() { seed = (seed * 16807) % 2147483647; return seed / 2147483647 }
function pick(k) { return int(rnd() * k) + 1 }
function count(kind) { # the scores of one row, by kind of answer
  l1 += kind != "top"; l2 += kind != "top" && kind != "mid"
  l3 += kind == "right" || kind == "pad" || kind == "wrap"
  ex += kind == "right" || kind == "pad"
}
BEGIN {
  seed = 20261126
  nt = split("Apparel & Accessories|Electronics|Home & Garden|Sporting Goods|Toys & Games|Health & Beauty|Food, Beverages & Tobacco|Office Supplies|Vehicles & Parts|Animals & Pet Supplies|Arts & Entertainment|Hardware", top, "|")
  ns = split("Accessories|Components|Care|Equipment|Supplies|Tools", sub2, "|")
  nl = split("Cases|Cleaners|Kits|Parts|Sets", leaf, "|")
  nb = split("Acme Northwind Contoso Globex Initech Umbrella Hooli Stark", brand, " ")
  for (i = 1; i <= n; i++) {
    a = pick(nt); b = pick(ns); c = pick(nl)
    cat = top[a] " > " top[a] " " sub2[b] " > " sub2[b] " " leaf[c]
    r = rnd(); kind = "right"; pred = cat
    if (r < 0.03) { kind = "wrap"; pred = "\\\"" cat "\\\"" }
    else if (r < 0.06) { kind = "wrap"; pred = tolower(cat) }
    else if (r < 0.09) { kind = "pad"; pred = "  " cat " " }
    else if (r < 0.12) { kind = "wrap"; pred = cat "." }
    else if (r < 0.19) { kind = "leaf"; pred = top[a] " > " top[a] " " sub2[b] " > " sub2[b] " " leaf[c % nl + 1] }
    else if (r < 0.22) { kind = "mid"; pred = top[a] " > " top[a] " " sub2[b % ns + 1] " > " sub2[b % ns + 1] " " leaf[c] }
    else if (r < 0.25) { kind = "top"; pred = top[a % nt + 1] " > " top[a % nt + 1] " " sub2[b] " > " sub2[b] " " leaf[c] }
    title = brand[pick(nb)] " " leaf[c] " for " sub2[b] ", SKU " (100000 + i)
    id = sprintf("s%07d", i)
    printf "{\"id\":\"%s\",\"title\":\"%s\",\"category\":\"%s\",\"pred\":\"%s\"}\n", id, title, cat, pred > out
    count(kind)
    if (i == m && csv != "") {
      printf "%d %d %d %d %d\n", m, l1, l2, l3, ex > (csv ".expected")
    }
    if (csv != "" && i <= m) {
      if (i == 1) print "id,title,category,pred" > csv
      p = pred; gsub(/\\"/, "\"\"", p)
      printf "%s,\"%s\",\"%s\",\"%s\"\n", id, title, cat, p > csv
    }
  }
  printf "%d %d %d %d %d\n", n, l1, l2, l3, ex > (out ".expected")
}'
mv "$tmp.expected" "$out.expected"
mv "$tmp" "$out"
if [ -n "$csv" ]; then
  mv "$csv.tmp.expected" "$csv.expected"
  mv "$csv.tmp" "$csv"
fi
