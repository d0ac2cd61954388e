#!/bin/sh
# SPDX-License-Identifier: MIT
# Bad inputs: each suite, dataset or command-line mistake must give one
# clear line on stderr (file:line where there is one), exit status 2, no
# output on stdout, and no run directory.
. "${YS_SRCDIR:-.}/tests/setup"
cd "$TMP"

# bad NAME WANT ARGS...: expects exactly the line WANT on stderr. WANT may
# be a shell pattern (for messages that list directories).
bad() {
  _n=$1
  _want=$2
  shift 2
  rm -rf runs
  run_ys "$_n" "$@"
  expect_rc "$_n" 2 || return 0
  _got=$(cat "$TMP/err")
  _lines=$(wc -l < "$TMP/err")
  if [ "$_lines" -ne 1 ]; then
    fail "$_n: expected one line on stderr, got $_lines: $_got"
    return 0
  fi
  # shellcheck disable=SC2254
  case "$_got" in
    $_want) ;;
    *) fail "$_n: got    '$_got'"; echo "      wanted '$_want'" >&2 ;;
  esac
  if [ -s "$TMP/out" ]; then fail "$_n: wrote to stdout: $(cat "$TMP/out")"; fi
  if [ -e runs ]; then fail "$_n: created a run directory"; fi
}

# A good dataset and suite to break one piece at a time.
cat > data.jsonl <<'JSON'
{"id": "a", "title": "Red shirt", "category": "Clothing > Men > Shirts"}
{"id": "b", "title": "Blue shoe", "category": "Footwear > Men > Shoes"}
JSON
cat > outputs.jsonl <<'JSON'
{"id": "a", "output": "Clothing > Men > Shirts"}
{"id": "b", "output": "Footwear > Men > Shoes"}
JSON
# suite FILE [DATASET] [PROMPT] [EXTRA]: writes a small replay suite.
suite() {
  _ds=${2:-}
  _pr=${3:-}
  [ -n "$_ds" ] || _ds='ys.jsonl "data.jsonl"'
  [ -n "$_pr" ] || _pr='"Title: {{title}}"'
  cat > "$1" <<LUA
local ys = require "yardstick"
return ys.suite {
  name = "t",
  dataset = $_ds,
  prompt = $_pr,
  models = { rec = ys.replay { file = "outputs.jsonl" } },
  metrics = { ys.metric "exact_match" { expected = "category" } },
  ${4:-}
}
LUA
}

suite good.lua
run_ys good run good.lua -q -o good-run
expect_rc "the good suite runs" 0 || cat "$TMP/err" >&2
rm -rf good-run

# {====== suites ======
printf 'local ys = require "yardstick"\nreturn ys.suite {\n  name = "t"\n  dataset = 1,\n}\n' > syntax.lua
bad "syntax error" "yardstick: syntax.lua:4: '}' expected (to close '{' at line 2) near 'dataset'" run syntax.lua

cat > nodata.lua <<'LUA'
local ys = require "yardstick"
return ys.suite {
  name = "t",
  prompt = "{{title}}",
  models = { rec = ys.replay { file = "outputs.jsonl" } },
  metrics = { ys.metric "exact_match" },
}
LUA
bad "missing dataset" "yardstick: nodata.lua:2: suite field 'dataset' is missing (expected ys.jsonl \"file\" or ys.csv \"file\")" run nodata.lua

sed 's/name = "t"/name = 5/' good.lua > wrongtype.lua
bad "wrong type" "yardstick: wrongtype.lua:2: suite field 'name' must be a string, got number" run wrongtype.lua

sed 's/"exact_match"/"exact_mach"/' good.lua > unknownmetric.lua
bad "unknown metric" "yardstick: unknownmetric.lua:7: unknown metric 'exact_mach' (no exact_mach.lua in *)" run unknownmetric.lua

sed 's/expected = "category"/expectd = "category"/' good.lua > badparam.lua
bad "unknown metric parameter" "yardstick: badparam.lua:7: metric 'exact_match': unknown parameter 'expectd' (known: *expected*)" run badparam.lua

suite badparamtype.lua "" "" ""
sed -i 's/expected = "category"/expected = "category", trim = "yes"/' badparamtype.lua
bad "metric parameter type" "yardstick: badparamtype.lua:7: metric 'exact_match': parameter 'trim' must be a boolean, got string" run badparamtype.lua

suite unknowngatemodel.lua "" "" 'gates = { { model = "gpt5", metric = "exact_match", min = 0.9 } },'
bad "gate names an unknown model" "yardstick: unknowngatemodel.lua:2: gates\[1\]: unknown model 'gpt5' (the suite's models: rec)" run unknowngatemodel.lua

suite unknownkey.lua "" "" 'baselines = { human = { metric = "exact_match.level4", value = 0.76 } },'
bad "baseline names an unknown metric" "yardstick: unknownkey.lua:2: baseline: unknown metric 'exact_match.level4' (the suite's metrics give: exact_match)" run unknownkey.lua

suite typo.lua "" "" 'modles = {},'
bad "unknown suite field" "yardstick: typo.lua:2: unknown suite field 'modles' (expected *)" run typo.lua

cat > notmodel.lua <<'LUA'
local ys = require "yardstick"
return ys.suite {
  name = "t",
  dataset = ys.jsonl "data.jsonl",
  prompt = "{{title}}",
  models = { a = 5 },
  metrics = { ys.metric "exact_match" },
}
LUA
bad "a model that is not one" "yardstick: notmodel.lua:2: models.a must be a model (ys.replay {...}, ys.naive_bayes {...}, ys.model {...} ...), got number" run notmodel.lua

printf 'local ys = require "yardstick"\nlocal x = undefined_thing.field\nreturn ys.suite {}\n' > undefglobal.lua
bad "undefined global" "yardstick: undefglobal.lua:2: undefined global 'undefined_thing'" run undefglobal.lua

sed 's/ys.replay { file = "outputs.jsonl" }/ys.opnai { model = "gpt-4" }/' good.lua > unknownplugin.lua
bad "unknown model plugin" "yardstick: unknownplugin.lua:6: yardstick has no 'opnai' (not a built-in, and no plugin opnai.lua in *)" run unknownplugin.lua

sed 's/file = "outputs.jsonl"/file = "outputs.jsonl", modle = "x"/' good.lua > replayopt.lua
bad "unknown replay option" "yardstick: replayopt.lua:6: replay: unknown option 'modle' (expected one of: file, field, model, id_field, output_field, concurrency, price, hosting)" run replayopt.lua

suite unclosed.lua "" '"Title: {{title"'
bad "unclosed template" "yardstick: unclosed.lua:2: prompt: template: '{{' at offset 7 is never closed by '}}'" run unclosed.lua

suite notemplate.lua "" '"Title: {{titel}}"'
bad "template field the dataset lacks" "yardstick: data.jsonl:1: the user prompt uses {{titel}}, but this row has no field 'titel'" run notemplate.lua

suite nofile.lua 'ys.jsonl "nope.jsonl"'
bad "missing dataset file" "yardstick: nofile.lua:4: dataset 'nope.jsonl': No such file or directory" run nofile.lua

printf 'return 42\n' > notable.lua
bad "suite returns a number" "yardstick: notable.lua: the suite file must return ys.suite { ... }, not number" run notable.lua

cat > nokb.lua <<'LUA'
local ys = require "yardstick"
return ys.suite {
  name = "t",
  dataset = ys.jsonl "data.jsonl",
  prompt = "{{title}}",
  models = { nb = ys.naive_bayes { train = "data.jsonl", text = "title", lable = "category" } },
  metrics = { ys.metric "exact_match" },
}
LUA
bad "plugin option typo" "yardstick: nokb.lua:6: naive_bayes: unknown option 'lable' (expected train, text, label, alpha, concurrency, price, hosting)" run nokb.lua
# }======

# {====== datasets ======
printf '{"id": "a", "title": "x", "category": "y"}\n{"id": "b", "title": "x" "category": "y"}\n' > badjson.jsonl
suite badjson.lua 'ys.jsonl "badjson.jsonl"'
bad "invalid JSON" "yardstick: badjson.jsonl:2: invalid JSON at column 26" run badjson.lua

printf '{"id": "a", "title": "x", "category": "y"}\n{"title": "x", "category": "y"}\n' > noid.jsonl
suite noid.lua 'ys.jsonl "noid.jsonl"'
bad "row without id" "yardstick: noid.jsonl:2: row has no id field 'id' (set the suite's id = \"...\" to the field that names each sample)" run noid.lua

printf '{"id": "a", "title": "x", "category": "y"}\n{"id": "b", "title": "x", "category": "y"}\n{"id": "a", "title": "z", "category": "y"}\n' > dup.jsonl
suite dup.lua 'ys.jsonl "dup.jsonl"'
bad "duplicate id" "yardstick: dup.jsonl:3: duplicate id 'a' (first on line 1)" run dup.lua

printf '{"id": ["a"], "title": "x", "category": "y"}\n' > idtype.jsonl
suite idtype.lua 'ys.jsonl "idtype.jsonl"'
bad "id of the wrong type" "yardstick: idtype.jsonl:1: id field 'id' must be a string or number, got array" run idtype.lua

printf '[1, 2]\n' > array.jsonl
suite array.lua 'ys.jsonl "array.jsonl"'
bad "row that is not an object" "yardstick: array.jsonl:1: expected a JSON object, got array" run array.lua

printf '{"id": "a", "title": "caf\351", "category": "y"}\n' > latin1.jsonl
suite latin1.lua 'ys.jsonl "latin1.jsonl"'
bad "invalid UTF-8" "yardstick: latin1.jsonl:1: invalid UTF-8 at column 26" run latin1.lua

: > empty.jsonl
suite empty.lua 'ys.jsonl "empty.jsonl"'
bad "empty dataset" "yardstick: empty.jsonl: the dataset has no rows" run empty.lua

printf 'id,title,category\na,Red shirt,C\nb,Blue,shoe,F\n' > ragged.csv
suite ragged.lua 'ys.csv "ragged.csv"'
bad "ragged CSV row" "yardstick: ragged.csv:3: expected 3 fields as in the header, got 4" run ragged.lua

printf 'id,title,category\na,"Red shirt,C\nb,Blue,F\n' > quote.csv
suite quote.lua 'ys.csv "quote.csv"'
bad "unterminated CSV quote" "yardstick: quote.csv:2: unterminated quoted field" run quote.lua

printf 'id,title,id\na,b,c\n' > duphead.csv
suite duphead.lua 'ys.csv "duphead.csv"'
bad "duplicate CSV header" "yardstick: duphead.csv:1: header names column 'id' twice" run duphead.lua

printf '{"id": "a", "output": "x"}\n{"id": "a", "output": "y"}\n' > dupout.jsonl
sed 's/outputs.jsonl/dupout.jsonl/' good.lua > dupout.lua
bad "replay file with an id twice" "yardstick: dupout.jsonl:2: id 'a' appears twice (a run's samples.jsonl holds several models: pick one with model = \"...\")" run dupout.lua
# }======

# {====== command line ======
bad "unknown command" "yardstick: unknown command 'rnu' (see yardstick --help)" rnu good.lua
bad "unknown option" "yardstick: unknown option '--jbos' (see yardstick --help)" run good.lua --jbos 4
bad "zero jobs" "yardstick: -j expects a whole number from 1 to 100000, got '0'" run good.lua -j 0
bad "limit not a number" "yardstick: --limit expects a whole number from 1 to *, got 'ten'" run good.lua --limit ten
bad "option without its value" "yardstick: option --seed needs a value (see yardstick --help)" run good.lua --seed
bad "no suite" "yardstick: run needs a suite file: yardstick run SUITE.lua (see yardstick --help)" run
bad "two suites" "yardstick: unexpected argument 'good.lua': run takes one suite (see yardstick --help)" run good.lua good.lua
bad "missing suite file" "yardstick: missing.lua: cannot read suite: No such file or directory" run missing.lua
mkdir -p used && echo x > used/file
bad "output directory in use" "yardstick: used: run directory already exists and is not empty (choose another --output)" run good.lua -o used
run_ys "no arguments" 
expect_rc "no arguments" 2 || true
grep -q '^usage: yardstick run' "$TMP/err" || fail "no arguments: usage not on stderr"
# }======

done_tests
