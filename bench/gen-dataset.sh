#!/bin/sh
# gen-dataset.sh N OUT.csv
# Writes a deterministic product-categorization dataset of N rows as CSV
# (header id,title,expected). Same N, same bytes: a Park-Miller PRNG in
# awk, no other dependency. Both yardstick and promptfoo read this file.
# Each prompt built from a row carries its answer on an "ANSWER:" line, so
# the mock server (ys-testserver) answers every row correctly.
set -eu
if [ $# -ne 2 ]; then
  echo "usage: gen-dataset.sh N OUT.csv" >&2
  exit 2
fi
n=$1 out=$2
case $n in ''|*[!0-9]*) echo "gen-dataset.sh: N must be a whole number" >&2; exit 2;; esac
tmp="$out.tmp.$$"
awk -v n="$n" '
function rnd() { seed = (seed * 16807) % 2147483647; return seed / 2147483647 }
function pick(a, k) { return a[int(rnd() * k) + 1] }
BEGIN {
  seed = 20261125
  nt = split("Electronics > Computer Accessories > Mice|Electronics > Computer Accessories > Keyboards|Electronics > Phones > Cases|Electronics > Audio > Headphones|Home & Kitchen > Cookware > Frying Pans|Home & Kitchen > Small Appliances > Kettles|Home & Kitchen > Storage > Food Containers|Sports & Outdoors > Camping > Tents|Sports & Outdoors > Fitness > Yoga Mats|Clothing > Men > Jackets|Clothing > Women > Dresses|Toys & Games > Puzzles|Books > Fiction > Mystery|Beauty > Skin Care > Moisturizers|Pet Supplies > Dogs > Leashes|Office Products > Writing > Pens", tax, "|")
  split("Wireless Mouse|Mechanical Keyboard|Phone Case|Over-Ear Headphones|Nonstick Frying Pan|Electric Kettle|Glass Food Container Set|4-Person Dome Tent|Non-Slip Yoga Mat|Waterproof Rain Jacket|Summer Midi Dress|1000-Piece Jigsaw Puzzle|Paperback Detective Novel|Hydrating Face Cream|Reflective Dog Leash|Gel Ink Pens 12-Pack", noun, "|")
  nb = split("Acme Northwind Contoso Globex Initech Umbrella Hooli Stark", brand, " ")
  na = split("Compact Premium Classic Eco Pro Lite Deluxe Everyday", adj, " ")
  nc = split("Black White Blue Red Green Grey Pink Navy", color, " ")
  print "id,title,expected"
  for (i = 1; i <= n; i++) {
    k = int(rnd() * nt) + 1
    title = pick(brand, nb) " " pick(adj, na) " " noun[k] ", " pick(color, nc) ", SKU " (100000 + i)
    printf "s%06d,\"%s\",%s\n", i, title, tax[k]
  }
}' >"$tmp"
mv "$tmp" "$out"
