#!/bin/sh
# SPDX-License-Identifier: MIT
# yardstick data lint|leak|split end to end: the product-categorization
# files under tests/data/data/ with planted problems (an exact duplicate,
# a near duplicate, a label conflict, missing and empty fields, a length
# outlier, a label outside the taxonomy, rare labels, leaks into an eval
# set) are each found, near-duplicates also by embeddings from the test
# server; the clean files pass with exit 0; the JSON reports are checked
# with jq; splits are reproducible, stratified, byte for byte and stable
# when rows are added; every bad input or option gives one line on
# stderr, exit 2 and no output; a failing embeddings API exits 3.
. "${YS_SRCDIR:-.}/tests/setup"
cd "$TMP"
cp "$YS_TESTDATA/data/products.jsonl" "$YS_TESTDATA/data/clean.jsonl" \
  "$YS_TESTDATA/data/eval.jsonl" "$YS_TESTDATA/data/eval-clean.jsonl" \
  "$YS_TESTDATA/data/taxonomy.txt" .
P="--id sku --label category"

# {====== lint ======
# doc/data.md's example: its command, run, prints what the page shows.
awk '/^<!-- example: lint/ { on = 1; next }
     on && /^```/ { if(inside) exit; inside = 1; next }
     inside' "$YS_SRCDIR/doc/data.md" > example.txt
cmd=$(sed -n '1s/^\$ yardstick //p' example.txt)
tail -n +2 example.txt > expected.txt
[ -n "$cmd" ] || fail "no lint example in doc/data.md"
# shellcheck disable=SC2086
run_ys lint $cmd
expect_rc "lint: planted problems" 1 || true
cmp -s "$TMP/out" expected.txt ||
  fail "lint text report differs from doc/data.md: $(diff expected.txt "$TMP/out" | head -20)"
[ -s "$TMP/err" ] && fail "lint: stderr: $(cat "$TMP/err")"

run_ys lint-json data lint products.jsonl $P --taxonomy taxonomy.txt --json
expect_rc "lint --json" 1 || true
cp "$TMP/out" lint.json
jq -e . lint.json >/dev/null || fail "lint --json: not JSON"
[ "$(json '.counts | [.duplicate, .duplicate_text, .label_conflict, .near_duplicate, .missing_field, .empty_field, .length_outlier, .invalid_label, .rare_label] | join(" ")' lint.json)" = "1 0 1 1 1 1 1 1 2" ] ||
  fail "lint --json counts: $(json -c .counts lint.json)"
[ "$(json '.problems' lint.json)" = 9 ] || fail "lint --json: problems"
[ "$(json '.issues | length' lint.json)" = 9 ] || fail "lint --json: issues"
# Each planted problem, where it was planted.
[ "$(json '.issues[] | select(.kind == "duplicate") | "\(.line) \(.of)"' lint.json)" = "9 2" ] ||
  fail "lint: the exact duplicate"
[ "$(json '.issues[] | select(.kind == "near_duplicate") | "\(.line) \(.of) \(.similarity >= 0.8)"' lint.json)" = "14 5 true" ] ||
  fail "lint: the near duplicate"
[ "$(json '.issues[] | select(.kind == "label_conflict") | "\(.line) \(.of) \(.other_label)"' lint.json)" = "33 11 Apparel & Accessories > Clothing > Shirts & Tops" ] ||
  fail "lint: the label conflict"
[ "$(json '.issues[] | select(.kind == "missing_field") | "\(.line) \(.field)"' lint.json)" = "21 description" ] ||
  fail "lint: the missing field"
[ "$(json '.issues[] | select(.kind == "empty_field") | "\(.line) \(.field)"' lint.json)" = "18 title" ] ||
  fail "lint: the empty field"
[ "$(json '.issues[] | select(.kind == "length_outlier") | "\(.line) \(.chars) \(.z > 3.5)"' lint.json)" = "25 1661 true" ] ||
  fail "lint: the length outlier"
[ "$(json '.issues[] | select(.kind == "invalid_label") | "\(.line) \(.label)"' lint.json)" = "28 Electronics > Headphones" ] ||
  fail "lint: the label outside the taxonomy"
[ "$(json '[.issues[] | select(.kind == "rare_label") | .label] | join("|")' lint.json)" = "Electronics > Headphones|Toys & Games > Puzzles" ] ||
  fail "lint: the rare labels"
[ "$(json '[.labels.counts[] | select(.rare)] | length' lint.json)" = 2 ] ||
  fail "lint: labels flagged rare"
[ "$(json '.labels | "\(.labelled) \(.distinct) \(.taxonomy_size)"' lint.json)" = "40 7 16" ] ||
  fail "lint: label summary"
[ "$(json '.fields | "\(.text | join(",")) \(.label) \(.id)"' lint.json)" = "title,description category sku" ] ||
  fail "lint: fields"

# The clean file: nothing found, exit 0.
run_ys clean data lint clean.jsonl $P --taxonomy taxonomy.txt
expect_rc "lint: clean file" 0 || true
[ "$(tail -n 1 "$TMP/out")" = "no problems found" ] || fail "lint clean: $(tail -n 3 "$TMP/out")"
run_ys clean-json data lint clean.jsonl $P --taxonomy taxonomy.txt --json
expect_rc "lint: clean file, JSON" 0 || true
[ "$(json '"\(.problems) \(.issues | length) \(.rows)"' "$TMP/out")" = "0 0 32" ] ||
  fail "lint clean --json: $(head -c 300 "$TMP/out")"

# The same rows as CSV (the format from the extension).
jq -r '[.sku, .title, .description, .category] | @csv' clean.jsonl > body.csv
{ echo 'sku,title,description,category'; cat body.csv; } > clean.csv
run_ys clean-csv data lint clean.csv $P --json
expect_rc "lint: clean CSV" 0 || true
[ "$(json '"\(.format) \(.rows) \(.problems)"' "$TMP/out")" = "csv 32 0" ] ||
  fail "lint clean CSV: $(head -c 300 "$TMP/out")"
{ echo 'sku,title,description,category'; cat body.csv; sed -n 3p body.csv; } > dup.csv
run_ys dup-csv data lint dup.csv $P --json
expect_rc "lint: CSV with a repeated row" 1 || true
[ "$(json '.issues[0] | "\(.kind) \(.line) \(.of)"' "$TMP/out")" = "duplicate 34 4" ] ||
  fail "lint dup CSV: $(json -c .issues "$TMP/out")"

# Options: one text field, word shingles, a stricter threshold, --show.
run_ys text data lint products.jsonl $P --text title --json
expect_rc "lint --text title" 1 || true
[ "$(json '"\(.fields.text | join(",")) \(.counts.duplicate) \(.counts.empty_field)"' "$TMP/out")" = "title 1 1" ] ||
  fail "lint --text: $(json -c '[.fields, .counts]' "$TMP/out")"
run_ys strict data lint products.jsonl $P --threshold 0.95 --shingle word:3 --json
expect_rc "lint --threshold 0.95" 1 || true
[ "$(json '"\(.counts.near_duplicate) \(.near_duplicates.shingle) \(.near_duplicates.jaccard)"' "$TMP/out")" = "0 word:3 0.95" ] ||
  fail "lint --threshold: $(json -c .near_duplicates "$TMP/out")"
run_ys show data lint products.jsonl $P --rare 0 --max-z 100 --show 0
expect_rc "lint --rare 0 --max-z 100" 1 || true
grep -q '^  rare labels  *0$' "$TMP/out" || fail "lint --rare 0: $(cat "$TMP/out")"
grep -q '^  length outliers  *0$' "$TMP/out" || fail "lint --max-z 100"
# }======

# {====== leak ======
run_ys leak data leak products.jsonl eval.jsonl $P
expect_rc "leak: planted copies" 1 || true
grep -q '^  eval line 2 (id EV-02): the same text as train line 4$' "$TMP/out" ||
  fail "leak text: $(cat "$TMP/out")"
grep -q '^2 of 5 eval rows (40.0%) appear in the training set$' "$TMP/out" ||
  fail "leak text summary: $(cat "$TMP/out")"
run_ys leak-json data leak products.jsonl eval.jsonl $P --json
expect_rc "leak --json" 1 || true
cp "$TMP/out" leak.json
[ "$(json '"\(.leaked) \(.eval_rows) \(.train_rows) \(.counts.exact) \(.counts.near)"' leak.json)" = "2 5 40 1 1" ] ||
  fail "leak --json: $(head -c 400 leak.json)"
[ "$(json '[.issues[] | "\(.kind):\(.id):\(.line):\(.train_line)"] | join(" ")' leak.json)" = "exact:EV-02:2:4 near:EV-04:4:20" ] ||
  fail "leak --json issues: $(json -c .issues leak.json)"
run_ys leak-clean data leak clean.jsonl eval-clean.jsonl $P
expect_rc "leak: clean sets" 0 || true
[ "$(tail -n 1 "$TMP/out")" = "no eval row appears in the training set" ] ||
  fail "leak clean: $(cat "$TMP/out")"
# Only exact copies with a threshold of 1.
run_ys leak-exact data leak products.jsonl eval.jsonl $P --threshold 1 --json
expect_rc "leak --threshold 1" 1 || true
[ "$(json .leaked "$TMP/out")" = 1 ] || fail "leak --threshold 1: $(json -c .counts "$TMP/out")"
# }======

# {====== split ======
# 200 rows of CSV: 120 Shirts, 60 Shoes, 20 Puzzles; a quoted comma and a
# quoted line break to copy byte for byte.
awk 'BEGIN {
  print "sku,title,category"
  for(i = 1; i <= 200; i++) {
    c = i % 10 < 6 ? "Shirts" : i % 10 < 9 ? "Shoes" : "Puzzles"
    t = (i % 50 == 7) ? "\"quoted, with a comma\"" : (i % 50 == 8) ? "\"two\nlines\"" : "item " i
    printf "S%04d,%s,%s\n", i, t, c
  }
}' > items.csv
run_ys split data split items.csv --holdout 0.1 --stratify category --seed 3 --key sku --train tr.csv --eval ev.csv
expect_rc "split" 0 || true
[ "$(head -n 1 tr.csv)" = "sku,title,category" ] || fail "split: no header in the train file"
[ "$(head -n 1 ev.csv)" = "sku,title,category" ] || fail "split: no header in the eval file"
# Exact shares per stratum: 12 + 6 + 2.
[ "$(grep -c ',Shirts$' ev.csv) $(grep -c ',Shoes$' ev.csv) $(grep -c ',Puzzles$' ev.csv)" = "12 6 2" ] ||
  fail "split: strata in eval: $(cat ev.csv)"
# Every input line once across the two files, header aside.
{ tail -n +2 tr.csv; tail -n +2 ev.csv; } | sort > both.txt
tail -n +2 items.csv | sort > input.txt
cmp -s both.txt input.txt || fail "split: the rows differ from the input"
grep -q '^S0007,"quoted, with a comma",' tr.csv ev.csv || fail "split: quoted comma row"
run_ys split2 data split items.csv --holdout 0.1 --stratify category --seed 3 --key sku --train tr2.csv --eval ev2.csv
cmp -s tr.csv tr2.csv && cmp -s ev.csv ev2.csv || fail "split: not reproducible"
run_ys split3 data split items.csv --holdout 0.1 --stratify category --seed 4 --key sku --eval ev3.csv
cmp -s ev.csv ev3.csv && fail "split: another seed gave the same eval rows"
[ -e tr3.csv ] && fail "split: wrote a train file it was not asked for"
run_ys split-json data split items.csv --holdout 0.1 --stratify category --seed 3 --key sku --json
expect_rc "split --json" 0 || true
[ "$(json '"\(.rows) \(.train.rows) \(.eval.rows) \(.train.file) \(.seed) \(.key) \(.stratify)"' "$TMP/out")" = "200 180 20 null 3 sku category" ] ||
  fail "split --json: $(head -c 400 "$TMP/out")"
[ "$(json '[.strata[] | "\(.value)=\(.rows)/\(.eval)"] | join(" ")' "$TMP/out")" = "Shirts=120/12 Shoes=60/6 Puzzles=20/2" ] ||
  fail "split --json strata: $(json -c .strata "$TMP/out")"
# Unstratified: rows added to the file move no existing row.
run_ys split-a data split items.csv --holdout 0.2 --train a-tr.csv --eval a-ev.csv
awk 'BEGIN { for(i = 201; i <= 260; i++) printf "S%04d,item %d,Shoes\n", i, i }' > more.csv
cat items.csv more.csv > grown.csv
run_ys split-b data split grown.csv --holdout 0.2 --train b-tr.csv --eval b-ev.csv
expect_rc "split a grown file" 0 || true
[ "$(grep -cvxF -f b-ev.csv a-ev.csv)" = 0 ] || fail "split: an eval row moved after rows were added"
[ "$(grep -cvxF -f b-tr.csv a-tr.csv)" = 0 ] || fail "split: a train row moved after rows were added"
# JSONL rows and the whole-row key.
run_ys split-jsonl data split products.jsonl --holdout 0.25 --train p-tr.jsonl --eval p-ev.jsonl --json
expect_rc "split JSONL" 0 || true
[ "$(json '"\(.key) \(.rows)"' "$TMP/out")" = "null 40" ] || fail "split JSONL: $(head -c 300 "$TMP/out")"
cat p-tr.jsonl p-ev.jsonl | sort > both.txt
sort products.jsonl > input.txt
cmp -s both.txt input.txt || fail "split JSONL: rows differ"
# }======

# {====== near-duplicates by embeddings ======
# The test server embeds a text as a hashed bag of its words: one word
# changed in twenty gives a cosine of about 0.95.
KEY=embed-key-5d41402abc
start_server --require-key "$KEY"
EMBED="--embed-url $SERVER/v1 --embed-model bow --embed-key-env YS_TEST_EMBED_KEY"
YS_TEST_EMBED_KEY=$KEY
export YS_TEST_EMBED_KEY
run_ys embed-lint data lint products.jsonl $P --taxonomy taxonomy.txt $EMBED --json
expect_rc "lint with embeddings" 1 || true
cp "$TMP/out" embed.json
[ "$(json '.near_duplicates | "\(.method) \(.model) \(.cosine) \(.dimensions) \(.texts)"' embed.json)" = "embeddings bow 0.95 256 38" ] ||
  fail "lint embeddings: $(json -c .near_duplicates embed.json)"
[ "$(json '.issues[] | select(.kind == "near_duplicate") | "\(.line) \(.of) \(.similarity >= 0.95)"' embed.json)" = "14 5 true" ] ||
  fail "lint embeddings: the near duplicate: $(json -c .issues embed.json)"
# The other checks do not change.
[ "$(json '.counts | del(.near_duplicate)' embed.json)" = "$(json '.counts | del(.near_duplicate)' lint.json)" ] ||
  fail "lint embeddings: other counts changed"
grep -q "$KEY" embed.json "$TMP/err" && fail "the API key was printed"
run_ys embed-clean data lint clean.jsonl $P $EMBED
expect_rc "lint clean file with embeddings" 0 || true
grep -q '^near-duplicates: embeddings of bow, cosine >= 0.95$' "$TMP/out" ||
  fail "lint embeddings text: $(head -5 "$TMP/out")"
# Batches: 38 distinct texts, 5 a request.
curl -s -X POST "$SERVER/stats/reset" >/dev/null
run_ys embed-batch data lint products.jsonl $P $EMBED --embed-batch 5 --json
expect_rc "lint --embed-batch 5" 1 || true
[ "$(server_stat '.by_path["/v1/embeddings"]')" = 8 ] ||
  fail "--embed-batch 5: $(server_stat '.by_path')"
[ "$(json '.issues[] | select(.kind == "near_duplicate") | .line' "$TMP/out")" = 14 ] ||
  fail "--embed-batch 5 found other near duplicates"
run_ys embed-leak data leak products.jsonl eval.jsonl $P $EMBED --embed-threshold 0.9 --json
expect_rc "leak with embeddings" 1 || true
[ "$(json '[.issues[] | "\(.kind):\(.id):\(.train_line)"] | join(" ")' "$TMP/out")" = "exact:EV-02:4 near:EV-04:20" ] ||
  fail "leak embeddings: $(json -c .issues "$TMP/out")"
run_ys embed-leak-clean data leak clean.jsonl eval-clean.jsonl $P $EMBED
expect_rc "leak clean sets with embeddings" 0 || true
# A server error is retried: the text asks for two 500s first.
printf '{"text": "red cotton shirt FAULT:500:2"}\n{"text": "red cotton shirt"}\n' > faulty.jsonl
curl -s -X POST "$SERVER/stats/reset" >/dev/null
run_ys embed-retry data lint faulty.jsonl $EMBED --json
expect_rc "lint with embeddings, retried" 0 || true
[ "$(server_stat '.by_status["500"]') $(server_stat '.by_status["200"]')" = "2 1" ] ||
  fail "embeddings retries: $(server_stat .by_status)"
# What cannot complete exits 3 with one line, and prints no report.
embed_fails() {
  _n=$1
  _want=$2
  shift 2
  run_ys "$_n" "$@"
  expect_rc "$_n" 3 || return 0
  [ "$(cat "$TMP/err")" = "$_want" ] || fail "$_n: got '$(cat "$TMP/err")', wanted '$_want'"
  [ -s "$TMP/out" ] && fail "$_n: wrote a report"
  return 0
}
YS_TEST_EMBED_KEY=wrong
embed_fails embed-401 "yardstick: 401 from $SERVER/v1/embeddings: check YS_TEST_EMBED_KEY" \
  data lint products.jsonl $EMBED
unset YS_TEST_EMBED_KEY
embed_fails embed-401-unset "yardstick: 401 from $SERVER/v1/embeddings: check YS_TEST_EMBED_KEY (it is not set)" \
  data leak products.jsonl eval.jsonl $EMBED
YS_TEST_EMBED_KEY=$KEY
export YS_TEST_EMBED_KEY
printf '{"text": "a shirt FAULT:400"}\n' > refused.jsonl
embed_fails embed-400 "yardstick: 400 from $SERVER/v1/embeddings: injected fault: FAULT:400" \
  data lint refused.jsonl $EMBED
printf '{"text": "a shirt FAULT:malformed"}\n' > malformed.jsonl
embed_fails embed-malformed "yardstick: $SERVER/v1/embeddings answered a body that is not JSON (expected {\"data\": [{\"embedding\": [numbers...]}, ...]}, one per text)" \
  data lint malformed.jsonl $EMBED
stop_servers
# }======

# {====== bad input and options ======
# bad NAME WANT ARGS...: exit 2, exactly the line WANT on stderr, nothing
# on stdout.
bad() {
  _n=$1
  _want=$2
  shift 2
  run_ys "$_n" "$@"
  expect_rc "$_n" 2 || return 0
  _got=$(cat "$TMP/err")
  [ "$(wc -l < "$TMP/err")" -eq 1 ] || { fail "$_n: expected one line on stderr: $_got"; return 0; }
  [ "$_got" = "$_want" ] || { fail "$_n: got    '$_got'"; echo "      wanted '$_want'" >&2; }
  [ -s "$TMP/out" ] && fail "$_n: wrote to stdout: $(head -c 200 "$TMP/out")"
  return 0
}
printf '{"sku": "a", "title": "x", "category": "c"}\n{"sku": "b", "title": "y", "category": "c"}\n{"sku": "c", "title": "z" "category": "c"}\n' > broken.jsonl
printf 'sku,title\nA,one\nB,two,extra\n' > broken.csv
: > empty.jsonl
bad missing "yardstick: nope.jsonl: cannot open: No such file or directory" data lint nope.jsonl
bad malformed "yardstick: broken.jsonl:3: invalid JSON at column 27" data lint broken.jsonl --json
bad malformed-csv "yardstick: broken.csv:3: expected 2 fields as in the header, got 3" data lint broken.csv
bad malformed-leak "yardstick: broken.jsonl:3: invalid JSON at column 27" data leak broken.jsonl eval.jsonl --text title
bad empty "yardstick: empty.jsonl: no rows" data lint empty.jsonl
bad unknown-field "yardstick: products.jsonl:1: no text field 'name' in the first row (its fields: sku, title, description, category)" data lint products.jsonl --text name
bad unknown-label "yardstick: products.jsonl:1: no label field 'label' in the first row (its fields: sku, title, description, category)" data lint products.jsonl --label label
bad unknown-stratum "yardstick: items.csv: no field 'label' in the header (its fields: sku, title, category)" data split items.csv --stratify label --train never.csv
bad leak-fields "yardstick: items.csv: no text field 'description' in the header (its fields: sku, title, category)" data leak items.csv products.jsonl $P
bad no-taxonomy "yardstick: nope.txt: cannot open: No such file or directory" data lint products.jsonl $P --taxonomy nope.txt
bad taxonomy-label "yardstick: a taxonomy needs the label field (--label FIELD) to check" data lint products.jsonl --taxonomy taxonomy.txt
bad threshold "yardstick: --threshold expects a number from 0.5 and up to 1, got '0.3'" data lint products.jsonl --threshold 0.3
bad threshold-text "yardstick: --threshold expects a number from 0.5 and up to 1, got 'high'" data leak products.jsonl eval.jsonl --threshold high
bad shingle "yardstick: shingle 'char:0': expected char:N or word:N with N from 1 to 32" data lint products.jsonl --shingle char:0
bad max-z "yardstick: --max-z expects a number above 0 and up to 1e+06, got '-1'" data lint products.jsonl --max-z -1
bad rare "yardstick: --rare expects a number from 0 and up to 1, got '2'" data lint products.jsonl --rare 2
bad holdout-0 "yardstick: --holdout expects a number above 0 and below 1, got '0'" data split items.csv --holdout 0
bad holdout-big "yardstick: --holdout expects a number above 0 and below 1, got '1.5'" data split items.csv --holdout 1.5
bad seed "yardstick: --seed expects a whole number from 0 to 9007199254740991, got '-1'" data split items.csv --seed -1
bad show "yardstick: --show expects a whole number from 0 to 1000000000, got 'all'" data lint products.jsonl --show all
bad format "yardstick: format 'xml': expected jsonl, csv or tsv" data lint products.jsonl --format xml
bad option "yardstick: data lint: unknown option '--frobnicate' (see yardstick --help)" data lint products.jsonl --frobnicate
bad wrong-command "yardstick: data leak: --taxonomy is not an option of this command (see yardstick --help)" data leak products.jsonl eval.jsonl --taxonomy taxonomy.txt
bad no-value "yardstick: option --label needs a value (see yardstick --help)" data lint products.jsonl --label
bad empty-value "yardstick: option --text needs a value, got an empty one (see yardstick --help)" data lint products.jsonl --text ''
bad empty-field "yardstick: text fields 'title,': an empty field name" data lint products.jsonl --text title,
bad subcommand "yardstick: data: unknown command 'check' (expected lint, leak or split) (see yardstick --help)" data check products.jsonl
bad no-subcommand "yardstick: data needs a command: yardstick data lint|leak|split ... (see yardstick --help)" data
bad no-file "yardstick: data lint needs a dataset file (see yardstick --help)" data lint --json
bad leak-one "yardstick: data leak needs the training and the evaluation file: yardstick data leak TRAIN EVAL (see yardstick --help)" data leak products.jsonl
bad extra "yardstick: data lint: unexpected argument 'clean.jsonl' (one file at a time) (see yardstick --help)" data lint products.jsonl clean.jsonl
bad embed-no-url "yardstick: --embed-model needs --embed-url, the embeddings API (see yardstick --help)" data lint products.jsonl --embed-model m
bad embed-shingle "yardstick: --shingle is for MinHash near-duplicates; with --embed-url use --embed-threshold (see yardstick --help)" data lint products.jsonl --embed-url http://127.0.0.1:9/v1 --embed-model m --shingle word:2
bad embed-threshold "yardstick: --embed-threshold expects a number from 0.5 and up to 1, got '0.2'" data leak products.jsonl eval.jsonl --embed-url http://127.0.0.1:9/v1 --embed-model m --embed-threshold 0.2
bad embed-batch "yardstick: --embed-batch expects a whole number from 1 to 2048, got '0'" data lint products.jsonl --embed-url http://127.0.0.1:9/v1 --embed-model m --embed-batch 0
bad embed-scheme "yardstick: embeddings URL 'ftp://127.0.0.1/v1': expected http(s)://HOST[:PORT]/v1" data lint products.jsonl --embed-url ftp://127.0.0.1/v1 --embed-model m
bad embed-model "yardstick: embeddings need a model name (--embed-model)" data lint products.jsonl --embed-url http://127.0.0.1:9/v1
bad embed-split "yardstick: data split: --embed-url is not an option of this command (see yardstick --help)" data split items.csv --embed-url http://127.0.0.1:9/v1
# A pipe cannot be read twice.
if cat items.csv | ys data split /dev/stdin --format csv --eval piped.csv >"$TMP/out" 2>"$TMP/err"; then RC=0; else RC=$?; fi
expect_rc "split from a pipe" 2 &&
  [ "$(cat "$TMP/err")" = "yardstick: /dev/stdin: not a regular file: split reads its input twice" ] ||
  fail "split from a pipe: $(cat "$TMP/err")"
[ -e piped.csv ] && fail "split from a pipe wrote a file"
# Bad key values stop the split before anything is written.
printf '{"id": "a", "t": 1}\n{"t": 2}\n' > nokey.jsonl
bad no-key "yardstick: nokey.jsonl:2: the key field 'id' is missing or empty (every row needs a key; --key FIELD names another field)" data split nokey.jsonl --train nk-tr.jsonl --eval nk-ev.jsonl
[ -e nk-tr.jsonl ] || [ -e nk-ev.jsonl ] && fail "split with a bad key wrote a file"
# Outputs that cannot be written: nothing is written, not even the other
# file.
mkdir adir
bad out-missing-dir "yardstick: nodir/ev.csv: cannot write: No such file or directory" data split items.csv --train w-tr.csv --eval nodir/ev.csv
[ -e w-tr.csv ] && fail "split: wrote the train file though the eval file failed"
bad out-dir "yardstick: adir: is a directory, not a file for the eval rows" data split items.csv --train w-tr.csv --eval adir
bad out-input "yardstick: items.csv: is the input file: write the train rows elsewhere" data split items.csv --train items.csv --eval w-ev.csv
bad out-same "yardstick: w.csv: the train and eval files must differ" data split items.csv --train w.csv --eval w.csv
[ -e w-tr.csv ] || [ -e w-ev.csv ] || [ -e w.csv ] && fail "split: a failed split left a file"
if [ "$(id -u)" != 0 ]; then
  mkdir ro && chmod 555 ro
  bad out-readonly "yardstick: ro/tr.csv: cannot write: Permission denied" data split items.csv --train ro/tr.csv --eval w-ev.csv
  [ -e w-ev.csv ] && fail "split: wrote the eval file though the train file failed"
  chmod 755 ro
fi
ls ./*.tmp.* 2>/dev/null && fail "split left temporary files"
# }======

# {====== help ======
run_ys help data --help
expect_rc "data --help" 0 || true
grep -q '^usage: yardstick data lint FILE' "$TMP/out" || fail "data --help: $(head -3 "$TMP/out")"
run_ys main-help --help
grep -q 'yardstick data lint FILE' "$TMP/out" || fail "--help does not list data"
# }======

done_tests
