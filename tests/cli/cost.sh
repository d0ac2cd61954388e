#!/bin/sh
# SPDX-License-Identifier: MIT
# yardstick cost end to end: monthly cost from a run's measured tokens and
# the suite's prices, fixed hosting, overrides, models without a price,
# and bad arguments.
. "${YS_SRCDIR:-.}/tests/setup"
cd "$TMP"

awk 'BEGIN { for(i = 0; i < 10; i++)
  printf("{\"id\": \"s%d\", \"q\": \"q%d\", \"answer\": \"a%d\"}\n", i, i, i) }' > data.jsonl
# api: 100 input and 50 output tokens a sample at $30/$60 per million:
# $0.006 a sample. local: 80 + 20 tokens, $515 a month of hosting. free:
# neither price nor hosting.
cat > costs.lua <<'LUA'
local ys = require "yardstick"
local function fixed(input, output, wrong)
  return function(self, request)
    local text = request.sample.answer
    if wrong and request.id == "s0" then text = "nope" end
    return { text = text, input_tokens = input, output_tokens = output }
  end
end
return ys.suite {
  name = "costs",
  dataset = ys.jsonl "data.jsonl",
  prompt = "{{q}}",
  models = {
    api = ys.model { chat = fixed(100, 50), price = { input = 30, output = 60 } },
    ["local"] = ys.model { chat = fixed(80, 20, true),
                           hosting = { monthly_usd = 515 } },
    free = ys.model { chat = fixed(10, 10) },
  },
  metrics = { ys.metric "exact_match" { expected = "answer" } },
}
LUA
run_ys run run costs.lua -o run -q --no-cache
expect_rc "run" 0 || true

# {====== by tokens ======
run_ys tokens cost run --tokens-per-month 1.5M --json
expect_rc "cost by tokens" 0 || true
cp "$TMP/out" tokens.json
m() { json ".models[] | select(.name == \"$1\") | $2" tokens.json; }
[ "$(m api '"\(.cost_per_sample) \(.samples_per_month) \(.usage_usd) \(.monthly_usd) \(.hosting_usd)"')" = "0.006 10000 60 60 null" ] ||
  fail "api: $(m api .)"
[ "$(m local '"\(.cost_per_sample) \(.samples_per_month) \(.usage_usd) \(.monthly_usd)"')" = "null 15000 null 515" ] ||
  fail "local: $(m local .)"
[ "$(m free '"\(.monthly_usd) \(.quality)"')" = "null 1" ] || fail "free: $(m free .)"
[ "$(m local .quality)" = 0.9 ] || fail "quality beside cost"
[ "$(json '"\(.basis) \(.tokens_per_month) \(.metric)"' tokens.json)" = "tokens 1500000 exact_match" ] || fail "header fields"
run_ys text cost run --tokens-per-month 1.5M
expect_rc "cost, text" 0 || true
grep -q "^monthly cost at 1,500,000 tokens a month (each model's own tokens per sample)" "$TMP/out" ||
  fail "text: title: $(cat "$TMP/out")"
grep -Eq '^api +1\.000 ±0\.[0-9]+ +150\.0 +6\.00 +10,000 +60\.00 +- +60\.00$' "$TMP/out" || fail "text: api row: $(cat "$TMP/out")"
grep -Eq '^local .* 515 +515$' "$TMP/out" || fail "text: local row"
grep -q "no price or hosting given" "$TMP/out" || fail "text: unpriced note"
# }======

# {====== by samples, with a hosting override ======
run_ys samples cost run --samples-per-month 2000000 --hosting free=300 --hosting api=100 --json
expect_rc "cost by samples" 0 || true
[ "$(json '.models[] | select(.name == "api") | "\(.usage_usd) \(.hosting_usd) \(.monthly_usd)"' "$TMP/out")" = "12000 100 12100" ] ||
  fail "samples: api: $(cat "$TMP/out")"
[ "$(json '.models[] | select(.name == "free") | .monthly_usd' "$TMP/out")" = 300 ] || fail "samples: free override"
# }======

# {====== bad input ======
run_ys none cost run
expect_rc "no traffic" 2 || true
[ "$(cat "$TMP/err")" = "yardstick: give the traffic: --tokens-per-month N or --samples-per-month N (one of them)" ] ||
  fail "no traffic: $(cat "$TMP/err")"
run_ys both cost run --tokens-per-month 1M --samples-per-month 5
expect_rc "both" 2 || true
run_ys badamount cost run --tokens-per-month 100X
expect_rc "bad amount" 2 || true
[ "$(cat "$TMP/err")" = "yardstick: --tokens-per-month expects a positive amount such as 40000, 2.5k, 100M or 1G, got '100X'" ] ||
  fail "bad amount: $(cat "$TMP/err")"
run_ys zero cost run --samples-per-month 0
expect_rc "zero traffic" 2 || true
run_ys badhost cost run --tokens-per-month 1M --hosting api
expect_rc "bad --hosting" 2 || true
run_ys unknownhost cost run --tokens-per-month 1M --hosting gpt9=1
expect_rc "--hosting of an unknown model" 2 || true
[ "$(cat "$TMP/err")" = "yardstick: --hosting: no model 'gpt9' in the run" ] || fail "unknown host: $(cat "$TMP/err")"
run_ys badmetric cost run --tokens-per-month 1M --metric bleu
expect_rc "unknown metric" 2 || true
run_ys notrun cost "$TMP" --tokens-per-month 1M
expect_rc "not a run" 2 || true
sed 's/hosting = { monthly_usd = 515 }/hosting = { monthly = 515 }/' costs.lua > badhosting.lua
run_ys badsuite run badhosting.lua -o bad -q
expect_rc "a suite with bad hosting" 2 || true
[ "$(cat "$TMP/err")" = "yardstick: badhosting.lua:15: model 'local': hosting takes only monthly_usd (the fixed monthly cost of serving it)" ] ||
  fail "bad hosting: $(cat "$TMP/err")"
[ ! -e bad ] || fail "bad hosting: a run directory was made"
# }======

done_tests
