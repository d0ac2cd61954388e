#!/bin/sh
# SPDX-License-Identifier: MIT
# The suite's Lua sandbox: what a suite file cannot do (files, commands,
# bytecode, the global environment), code that never ends (at load and in
# a task) stopped with the place it was stopped, and metric states kept
# apart from each other and from the suite. Metric plugins' own sandbox is
# tested in check_metric.
. "${YS_SRCDIR:-.}/tests/setup"
cd "$TMP"
echo '{"id": "a", "q": "hello"}' > d.jsonl
echo '{"id": "b", "q": "world"}' >> d.jsonl

# attempt NAME LUA EXPECTED: a suite file starting with LUA must fail to
# load with exactly EXPECTED (exit 2).
attempt() {
  printf '%s\nreturn 1\n' "$2" > "$1.lua"
  run_ys "$1" run "$1.lua" -q -o "out-$1"
  expect_rc "sandbox: $1" 2 || return 0
  [ "$(cat "$TMP/err")" = "yardstick: $3" ] || fail "sandbox: $1: $(cat "$TMP/err")"
  [ ! -e "out-$1" ] || fail "sandbox: $1: a run directory was made"
}
attempt read-file 'io.open("/etc/passwd")' "read-file.lua:1: undefined global 'io'"
attempt command 'os.execute("id")' "command.lua:1: undefined global 'os'"
attempt require-os 'require "os"' "require-os.lua:1: module 'os' not found (only \"yardstick\" can be required here)"
attempt load-text 'load("return 1")' "load-text.lua:1: undefined global 'load'"
attempt dofile 'dofile("/etc/passwd")' "dofile.lua:1: undefined global 'dofile'"
attempt debug 'debug.getinfo(1)' "debug.lua:1: undefined global 'debug'"
attempt package 'local p = package.loaded' "package.lua:1: undefined global 'package'"
attempt gc 'collectgarbage("stop")' "gc.lua:1: undefined global 'collectgarbage'"
attempt global-write 'x = 1; _G.y = 2' "global-write.lua:1: the global environment is read-only"
attempt rawset 'rawset(_G, "x", 1)' "rawset.lua:1: bad argument #1 to 'rawset' (table expected, got userdata)"
attempt metatable 'setmetatable(_G, {})' "metatable.lua:1: bad argument #1 to 'setmetatable' (table expected, got userdata)"
attempt huge-string 'local s = string.rep("x", 3000000000)' "huge-string.lua:1: resulting string too large"
# Bytecode: string.dump exists, but nothing can load what it makes.
attempt bytecode 'local b = string.dump(function() end); load(b)' "bytecode.lua:1: undefined global 'load'"
# A suite file that is not text (a compiled chunk) is refused.
printf '\033Lua\124\000' > compiled.lua
run_ys compiled run compiled.lua -q
expect_rc "a compiled chunk" 2 || true
[ "$(cat "$TMP/err")" = "yardstick: compiled.lua: a compiled Lua chunk: only Lua source text can be loaded" ] || fail "compiled chunk: $(cat "$TMP/err")"

# {====== code that never ends ======
printf 'local ys = require "yardstick"\nlocal n = 0\nwhile true do n = n + 1 end\n' > forever.lua
YARDSTICK_INSTRUCTION_LIMIT=50 run_ys forever run forever.lua -q
expect_rc "a suite that never ends" 2 || true
[ "$(cat "$TMP/err")" = "yardstick: forever.lua:3: instruction budget exceeded (50 million instructions)" ] ||
  fail "never-ending load: $(cat "$TMP/err")"
cat > evalloop.lua <<'LUA'
local ys = require "yardstick"
return ys.suite {
  name = "loops",
  dataset = ys.jsonl "d.jsonl",
  prompt = "{{q}}",
  models = { m = ys.model { chat = function(self, r)
    if r.id == "a" then
      local n = 0
      while true do n = n + 1 end
    end
    return r.sample.q
  end } },
  metrics = { ys.metric "exact_match" { expected = "q" } },
  max_error_rate = 0.5,
}
LUA
YARDSTICK_INSTRUCTION_LIMIT=50 run_ys evalloop run evalloop.lua -q -o loops
expect_rc "a model that never ends on one sample" 0 || true
[ "$(json 'select(.id == "a") | .error' loops/samples.jsonl)" = "evalloop.lua:9: instruction budget exceeded (50 million instructions)" ] ||
  fail "never-ending task: $(cat loops/samples.jsonl)"
[ "$(json 'select(.id == "b") | .scores.exact_match' loops/samples.jsonl)" = 1 ] || fail "the other sample was not scored"
# }======

# {====== states are separate ======
# A metric that vandalises its libraries harms no other metric, and the
# suite's own changes reach no metric.
mkdir -p metrics
cat > metrics/vandal.lua <<'LUA'
return { name = "vandal",
  score = function(p, sample, output)
    string.upper = nil
    table.concat = nil
    return 1
  end }
LUA
cat > metrics/user.lua <<'LUA'
return { name = "user",
  score = function(p, sample, output)
    return table.concat({ string.upper(output) }) == string.upper(sample.q)
  end }
LUA
cat > apart.lua <<'LUA'
local ys = require "yardstick"
string.lower = nil
return ys.suite {
  name = "apart",
  dataset = ys.jsonl "d.jsonl",
  prompt = "{{q}}",
  models = { echo = ys.replay { field = "q" } },
  metrics = { ys.metric "vandal", ys.metric "user",
              ys.metric "exact_match" { expected = "q", ignore_case = true } },
}
LUA
run_ys apart run apart.lua -q -o apart
expect_rc "metrics in separate states" 0 || true
[ "$(json '[.scores.user, .scores.exact_match] | join(",")' apart/samples.jsonl | tr '\n' ' ')" = "1,1 1,1 " ] ||
  fail "separate states: $(cat apart/samples.jsonl) $(cat "$TMP/err")"
# }======

done_tests
