#!/bin/sh
# SPDX-License-Identifier: MIT
# The case-study suites under suites/: each runs offline with no key and
# gives the kinds of results it promises (its models, metrics with values
# in range, gates evaluated, a line for each model it skips), and the
# hosted-model entries work against the test server standing in for the
# APIs.
. "${YS_SRCDIR:-.}/tests/setup"
cd "$TMP"
S=$YS_SRCDIR/suites

# in_range RUN MODEL KEY LO HI: the model's value for the score key lies
# in [LO, HI].
in_range() {
  _v=$(jq -r --arg m "$2" --arg k "$3" \
    '.models[] | select(.name == $m) | .metrics[$k].value' "$1/summary.json")
  if ! awk -v v="$_v" -v lo="$4" -v hi="$5" \
       'BEGIN { exit !(v != "" && v != "null" && v + 0 >= lo && v + 0 <= hi) }'; then
    fail "$1: $2 $3 = '$_v', expected from $4 to $5"
  fi
}

# skip_line NAME TEXT: stderr has the line TEXT.
skip_line() {
  grep -qxF "$2" "$TMP/err" || fail "$1: no line '$2' in: $(cat "$TMP/err")"
}

# {====== product categorization: offline ======
PC=$S/product-categorization
run_ys pc run "$PC/suite.lua" -o pc
expect_rc "product-categorization" 0 || true
for m in gpt-4 gpt-3.5; do
  skip_line pc "product-categorization: skipping $m: OPENAI_API_KEY is not set"
done
skip_line pc "product-categorization: skipping fine_tuned and its promotion gates: YS_FT_BASE_URL is not set (the OpenAI-compatible server of the fine-tuned model)"
[ "$(json '[.models[].name] | join(" ")' pc/summary.json)" = "zero_shot trained" ] ||
  fail "pc: models $(json '[.models[].name] | join(" ")' pc/summary.json)"
for m in zero_shot trained; do
  for k in taxonomy_depth.level1 taxonomy_depth.level2 taxonomy_depth.level3 \
           taxonomy_depth.valid exact_match; do
    in_range pc "$m" "$k" 0 1
  done
done
# Before and after: the trained stand-in is better at every level, and
# each level is at most as good as the one above it.
for k in 1 2 3; do
  jq -e ".models[1].metrics[\"taxonomy_depth.level$k\"].value > .models[0].metrics[\"taxonomy_depth.level$k\"].value" \
    pc/summary.json >/dev/null || fail "pc: trained not above zero_shot at level $k"
done
jq -e '[.models[].metrics | .["taxonomy_depth.level1"].value >= .["taxonomy_depth.level2"].value and .["taxonomy_depth.level2"].value >= .["taxonomy_depth.level3"].value] | all' \
  pc/summary.json >/dev/null || fail "pc: levels not nested"
[ "$(json '.baselines | map("\(.name)=\(.metric)=\(.value)") | join(" ")' pc/summary.json)" = \
  "human_accuracy=taxonomy_depth.level3=0.76" ] || fail "pc: baseline"
[ "$(json '[.gates[] | "\(.kind):\(.model):\(.pass)"] | join(" ")' pc/summary.json)" = \
  "beats:trained:true threshold:trained:true max_error_rate:trained:true" ] ||
  fail "pc: gates $(json '[.gates[] | "\(.kind):\(.model):\(.pass)"] | join(" ")' pc/summary.json)"
jq -e '[.gates[] | has("error")] | any | not' pc/summary.json >/dev/null ||
  fail "pc: a gate could not be evaluated"
[ "$(wc -l < pc/samples.jsonl)" -eq 1420 ] || fail "pc: 1420 sample lines expected"
# -q keeps the skip lines off stderr (five products are too few for the
# gates to hold: exit status 1).
run_ys pc-quiet run "$PC/suite.lua" -q --limit 5 -o pc-q
expect_rc "product-categorization -q" 1 || true
[ ! -s "$TMP/err" ] || fail "pc -q: stderr '$(cat "$TMP/err")'"
# }======

# {====== product categorization: the Google Product Taxonomy ======
run_ys google run "$PC/google.lua" -o google
expect_rc "google variant" 0 || true
skip_line google "product-categorization-google: skipping gpt-4: OPENAI_API_KEY is not set"
[ "$(json '[.models[].name] | join(" ")' google/summary.json)" = "zero_shot trained" ] ||
  fail "google: models"
for m in zero_shot trained; do
  for k in 1 2 3; do in_range google "$m" "taxonomy_depth.level$k" 0 1; done
  # Every answer of the two local models is a Google category.
  in_range google "$m" taxonomy_depth.valid 1 1
done
jq -e '.models[1].metrics["taxonomy_depth.level3"].value > .models[0].metrics["taxonomy_depth.level3"].value' \
  google/summary.json >/dev/null || fail "google: trained not above zero_shot"
[ "$(json '.gates | length' google/summary.json)" = 3 ] || fail "google: gates"
# }======

# {====== product categorization: hosted models and the candidate ======
# The test server stands in for the OpenAI API and the candidate's server
# (it answers "ok": every gate on the candidate is evaluated, and the
# level-3 one fails).
start_server
export OPENAI_API_KEY=test-key OPENAI_BASE_URL="$SERVER/v1" \
  YS_FT_BASE_URL="$SERVER/v1" YS_FT_MODEL=mistral-ft
run_ys pc-hosted run "$PC/suite.lua" --limit 30 -o hosted
expect_rc "hosted models" 1 || true
grep -q "skipping" "$TMP/err" && fail "hosted: a model was skipped: $(cat "$TMP/err")"
[ "$(json '[.models[].name] | join(" ")' hosted/summary.json)" = \
  "zero_shot trained gpt-4 gpt-3.5 fine_tuned" ] || fail "hosted: models"
[ "$(json '[.gates[] | "\(.kind):\(.model):\(.pass)"] | join(" ")' hosted/summary.json)" = \
  "beats:trained:true threshold:trained:false max_error_rate:trained:true threshold:fine_tuned:false not_worse_than:fine_tuned:true max_error_rate:fine_tuned:true" ] ||
  fail "hosted: gates $(json '[.gates[] | "\(.kind):\(.model):\(.pass)"] | join(" ")' hosted/summary.json)"
[ "$(json '.gates[4] | "\(.other) \(.margin) \(.n)"' hosted/summary.json)" = "gpt-4 0.02 30" ] ||
  fail "hosted: the gpt-4 gate"
# The case study's prices and hosting reach the manifest and the cost.
[ "$(json '.models[] | select(.name == "gpt-4") | .price_per_million_tokens | "\(.input)/\(.output)"' hosted/manifest.json)" = "30/60" ] ||
  fail "hosted: gpt-4 price"
[ "$(json '.models[] | select(.name == "fine_tuned") | .hosting.monthly_usd' hosted/manifest.json)" = 300 ] ||
  fail "hosted: fine_tuned hosting"
ys cost hosted --tokens-per-month 100M --json > cost.json || fail "hosted: cost"
jq -e '(.models[] | select(.name == "gpt-4") | .usage_usd > 0) and (.models[] | select(.name == "fine_tuned") | .monthly_usd == 300)' \
  cost.json >/dev/null || fail "hosted: cost $(cat cost.json)"
# The API models were shown the category tree; the candidate was not.
[ "$(server_stat '.by_path["/v1/chat/completions"]')" = 90 ] ||
  fail "hosted: $(server_stat '.by_path["/v1/chat/completions"]') calls, expected 90"
jq -e '(.models[] | select(.name == "gpt-4") | .usage.input_tokens_per_sample) > 1000 and (.models[] | select(.name == "fine_tuned") | .usage.input_tokens_per_sample) < 100' \
  hosted/summary.json >/dev/null || fail "hosted: prompt sizes"
# A candidate without gpt-4 is refused, not gated on half the rule.
unset OPENAI_API_KEY OPENAI_BASE_URL
run_ys pc-no-gpt4 run "$PC/suite.lua" -o nogpt4
expect_rc "candidate without gpt-4" 2 || true
tail -n 1 "$TMP/err" | grep -q "suite.lua:[0-9]*: fine_tuned's promotion gate compares it with gpt-4, which is skipped (OPENAI_API_KEY is not set): set the key, or remove that gate from the suite to evaluate the candidate alone$" ||
  fail "candidate without gpt-4: $(cat "$TMP/err")"
[ ! -e nogpt4 ] || fail "candidate without gpt-4: a run directory was made"
export OPENAI_API_KEY=test-key OPENAI_BASE_URL="$SERVER/v1" YS_FT_MONTHLY_USD=lots
run_ys pc-bad-hosting run "$PC/suite.lua" -o badhost
expect_rc "bad YS_FT_MONTHLY_USD" 2 || true
tail -n 1 "$TMP/err" | grep -q "suite.lua:[0-9]*: YS_FT_MONTHLY_USD must be a number of USD, 0 or more$" ||
  fail "bad YS_FT_MONTHLY_USD: $(cat "$TMP/err")"
unset OPENAI_API_KEY OPENAI_BASE_URL YS_FT_BASE_URL YS_FT_MODEL YS_FT_MONTHLY_USD
stop_servers
# }======

# {====== judge agreement ======
JA=$S/judge-agreement
run_ys judge run "$JA/suite.lua" -o judge
# The word-overlap stand-in does not earn trust: its gates fail.
expect_rc "judge-agreement" 1 || true
skip_line judge "judge-agreement: skipping the LLM judge: YS_JUDGE_MODEL is not set (the word-overlap stand-in is 'judge')"
[ "$(json '[.models[].name] | join(" ")' judge/summary.json)" = "judge length always_4" ] ||
  fail "judge: models"
for m in judge length always_4; do
  in_range judge "$m" agreement.exact 0 1
  in_range judge "$m" agreement.within_one 0 1
  in_range judge "$m" agreement.kappa -1 1
done
for m in judge length; do
  in_range judge "$m" agreement.pearson -1 1
  in_range judge "$m" agreement.spearman -1 1
done
# A constant judge has no correlation (null, never 0) and a kappa of 0.
[ "$(json '.models[2].metrics | "\(.["agreement.pearson"].value) \(.["agreement.spearman"].value) \(.["agreement.kappa"].value)"' judge/summary.json)" = \
  "null null 0" ] || fail "judge: always_4 $(json '.models[2].metrics' judge/summary.json)"
# Pearson's r of the pairs in samples.jsonl, computed here, is the run's.
r=$(jq -r 'select(.model == "judge") | "\(.details.agreement.judge) \(.details.agreement.human)"' judge/samples.jsonl |
  awk '{ n++; sx += $1; sy += $2; sxx += $1*$1; syy += $2*$2; sxy += $1*$2 }
       END { printf "%.6f", (n*sxy - sx*sy) / sqrt((n*sxx - sx*sx) * (n*syy - sy*sy)) }')
[ "$r" = "$(json '.models[0].metrics["agreement.pearson"].value * 1000000 | round / 1000000 | tostring' judge/summary.json | awk '{ printf "%.6f", $1 }')" ] ||
  fail "judge: pearson $r against $(json '.models[0].metrics["agreement.pearson"].value' judge/summary.json)"
[ "$(json '[.gates[] | "\(.model):\(.metric):\(.pass)"] | join(" ")' judge/summary.json)" = \
  "judge:agreement.kappa:false judge:agreement.spearman:false" ] || fail "judge: gates"
jq -e '[.gates[] | has("error")] | any | not' judge/summary.json >/dev/null ||
  fail "judge: a gate could not be evaluated"
# An LLM judge (the test server) that answers without a grade: every
# sample is an error, never a zero, and the run is incomplete.
start_server
export YS_JUDGE_MODEL=judge-model YS_JUDGE_BASE_URL="$SERVER/v1"
run_ys judge-llm run "$JA/suite.lua" --limit 10 -o judge-llm
unset YS_JUDGE_MODEL YS_JUDGE_BASE_URL
expect_rc "judge-agreement, a judge without grades" 3 || true
skip_line judge-llm "judge-agreement: judge is judge-model at $SERVER/v1"
[ "$(jq -r 'select(.model == "judge") | .score_errors.agreement' judge-llm/samples.jsonl | sort -u)" = \
  "metric 'agreement': the judge's output has no rating from 1 to 5: ok" ] ||
  fail "judge-llm: score errors"
[ "$(json '.models[0].score_errors' judge-llm/summary.json)" = 10 ] || fail "judge-llm: errors counted"
[ "$(server_stat '.by_path["/v1/chat/completions"]')" = 10 ] || fail "judge-llm: calls"
stop_servers

# A judge named without its key stops the suite before anything runs.
export YS_JUDGE_MODEL=gpt-4o
run_ys judge-nokey run "$JA/suite.lua" -o judge-nokey
unset YS_JUDGE_MODEL
expect_rc "a judge without its key" 2 || true
grep -qx "yardstick: .*/judge-agreement/suite.lua:[0-9]*: openai: OPENAI_API_KEY is not set (the OpenAI API needs a key)" "$TMP/err" ||
  fail "a judge without its key: $(cat "$TMP/err")"
[ "$(wc -l < "$TMP/err")" -eq 1 ] || fail "a judge without its key: more than one line"
# }======

# {====== patient intake: extraction ======
PI=$S/patient-intake
run_ys intake run "$PI/suite.lua" -o intake
expect_rc "patient-intake" 0 || true
skip_line intake "patient-intake: skipping gpt-4: OPENAI_API_KEY is not set"
skip_line intake "patient-intake: skipping fine_tuned and its promotion gates: YS_FT_BASE_URL is not set (the OpenAI-compatible server of the fine-tuned model)"
skip_line intake "patient-intake: skipping the LLM judge: YS_JUDGE_MODEL is not set (a rule-based stand-in grades instead)"
[ "$(json '[.models[].name] | join(" ")' intake/summary.json)" = "rules gold" ] ||
  fail "intake: models"
for m in rules gold; do
  for k in json_schema field_completeness.share field_completeness.age \
           field_accuracy.precision field_accuracy.recall field_accuracy.f1 \
           field_accuracy.secondary_complaints; do
    in_range intake "$m" "$k" 0 1
  done
  for k in history_completeness formatting relevance; do
    in_range intake "$m" "llm_judge.$k" 1 5
  done
done
# The gold record scores perfectly on accuracy, and its completeness is
# the share of gold fields the data fill.
in_range intake gold field_accuracy.f1 1 1
want=$(jq -s '[.[].gold | to_entries[] | .value | select(. != null and . != [])] | length / 180' "$PI/data/eval.jsonl")
got=$(json '.models[1].metrics["field_completeness.share"].value' intake/summary.json)
awk -v a="$want" -v b="$got" 'BEGIN { exit !(a - b < 1e-6 && b - a < 1e-6) }' ||
  fail "intake: gold completeness $got, the data give $want"
jq -e '.models[0].metrics["field_completeness.share"].value < .models[1].metrics["field_completeness.share"].value' \
  intake/summary.json >/dev/null || fail "intake: rules above the ceiling"
# Three judge calls per record, counted for the helper, not the models.
[ "$(json '.helpers[] | "\(.name) \(.usage.calls)"' intake/summary.json)" = "judge 180" ] ||
  fail "intake: judge calls $(json '.helpers' intake/summary.json)"
[ "$(jq -r 'select(.details.llm_judge.relevance.rationale != null) | .id' intake/samples.jsonl | wc -l)" -eq 60 ] ||
  fail "intake: judge rationales"
[ "$(json '[.gates[] | "\(.kind):\(.model):\(.pass)"] | join(" ")' intake/summary.json)" = \
  "threshold:rules:true max_error_rate:rules:true" ] || fail "intake: gates"
# Hosted models and the candidate on the test server (which answers
# "ok", not a record): the records fail the schema, the stand-in judge
# grades their format 1, the candidate's gates are all evaluated.
start_server
export OPENAI_API_KEY=test-key OPENAI_BASE_URL="$SERVER/v1" YS_FT_BASE_URL="$SERVER/v1"
run_ys intake-hosted run "$PI/suite.lua" --limit 3 -o intake-hosted
expect_rc "intake, hosted models" 1 || true
[ "$(json '[.models[].name] | join(" ")' intake-hosted/summary.json)" = \
  "rules gold gpt-4 gpt-3.5 fine_tuned" ] || fail "intake-hosted: models"
for m in gpt-4 gpt-3.5 fine_tuned; do
  in_range intake-hosted "$m" json_schema 0 0
  in_range intake-hosted "$m" llm_judge.formatting 1 1
done
[ "$(json '[.gates[] | "\(.kind):\(.model):\(.metric):\(.pass)"] | join(" ")' intake-hosted/summary.json)" = \
  "threshold:rules:json_schema:true max_error_rate:rules:null:true threshold:fine_tuned:json_schema:false not_worse_than:fine_tuned:field_accuracy.f1:true not_worse_than:fine_tuned:llm_judge.history_completeness:true" ] ||
  fail "intake-hosted: gates $(json '[.gates[] | "\(.kind):\(.model):\(.metric):\(.pass)"] | join(" ")' intake-hosted/summary.json)"
# An LLM judge without grades: errors, never zeros; the run is incomplete.
export YS_JUDGE_MODEL=judge-model YS_JUDGE_BASE_URL="$SERVER/v1"
run_ys intake-judge run "$PI/suite.lua" --limit 3 -o intake-judge
unset YS_JUDGE_MODEL YS_JUDGE_BASE_URL
expect_rc "intake, a judge without grades" 3 || true
[ "$(jq -r '.score_errors.llm_judge' intake-judge/samples.jsonl | sort -u)" = \
  "metric 'llm_judge': the judge's reply has no score from 1 to 5: ok" ] ||
  fail "intake-judge: $(jq -r '.score_errors' intake-judge/samples.jsonl | sort -u | head -3)"
unset OPENAI_API_KEY OPENAI_BASE_URL
run_ys intake-no-gpt35 run "$PI/suite.lua" -o intake-refused
expect_rc "intake, a candidate without gpt-3.5" 2 || true
tail -n 1 "$TMP/err" | grep -q "suite.lua:[0-9]*: fine_tuned's promotion gates compare it with gpt-3.5, which is skipped (OPENAI_API_KEY is not set)" ||
  fail "intake, a candidate without gpt-3.5: $(cat "$TMP/err")"
unset YS_FT_BASE_URL
stop_servers
# }======

# {====== patient intake: the conversation ======
PC2=$S/patient-intake-conversation
run_ys conv run "$PC2/suite.lua" -o conv
expect_rc "patient-intake-conversation" 0 || true
skip_line conv "patient-intake-conversation: skipping gpt-4: OPENAI_API_KEY is not set"
skip_line conv "patient-intake-conversation: skipping the LLM patient: YS_SIM_MODEL is not set (a rule-based stand-in plays the patient)"
[ "$(json '[.models[].name] | join(" ")' conv/summary.json)" = "checklist open_question" ] ||
  fail "conv: models"
for m in checklist open_question; do
  for k in field_completeness.share field_accuracy.precision field_accuracy.f1; do
    in_range conv "$m" "$k" 0 1
  done
  in_range conv "$m" questions 1 8
done
jq -e '.models[0].metrics["field_completeness.share"].value > .models[1].metrics["field_completeness.share"].value' \
  conv/summary.json >/dev/null || fail "conv: checklist not above open_question"
# Every question got an answer, in the conversation each output holds,
# and every answer was a call to the patient helper.
jq -e 'select(.output.conversation | length != 2 * .output.questions)' conv/samples.jsonl >/dev/null &&
  fail "conv: a conversation without its answers"
[ "$(jq -s 'map(.output.questions) | add' conv/samples.jsonl)" = "$(json '.helpers[0].usage.calls' conv/summary.json)" ] ||
  fail "conv: patient calls"
[ "$(json '[.gates[] | "\(.kind):\(.pass)"] | join(" ")' conv/summary.json)" = "beats:true threshold:true" ] ||
  fail "conv: gates"
# The bots and the patient as real HTTP backends (the test server, which
# answers "ok"): the hosted bots ask all 8 questions and never write a
# record; every call is made, and counted on the right side.
start_server
export OPENAI_API_KEY=test-key OPENAI_BASE_URL="$SERVER/v1" YS_SIM_MODEL=patient-model YS_SIM_BASE_URL="$SERVER/v1"
run_ys conv-hosted run "$PC2/suite.lua" --limit 3 --no-cache -j 16 -o conv-hosted
expect_rc "conversation, hosted bots and patient" 1 || true
skip_line conv-hosted "patient-intake-conversation: the patient is patient-model at $SERVER/v1"
[ "$(jq -r 'select(.model == "gpt-4") | "\(.output.questions) \(.output.no_record) \(.usage.calls) \(.other_usage.patient.calls)"' conv-hosted/samples.jsonl | sort -u)" = \
  "8 ok 9 8" ] || fail "conv-hosted: gpt-4 conversations"
# 3 patients: 2 hosted bots x (9 + 8 calls), checklist 5, open_question 2.
[ "$(server_stat '.by_path["/v1/chat/completions"]')" = 123 ] ||
  fail "conv-hosted: $(server_stat '.by_path["/v1/chat/completions"]') calls, expected 123"
[ "$(json '.helpers[0].usage.calls' conv-hosted/summary.json)" = 69 ] || fail "conv-hosted: patient calls"
jq -e '[.models[] | .metrics["field_completeness.share"].value] | map(. >= 0 and . <= 1) | all' \
  conv-hosted/summary.json >/dev/null || fail "conv-hosted: completeness"
stop_servers
# Concurrency: conversations wait on the network side by side. With 50 ms
# a reply, the tasks' own times add up to several times the run's.
start_server --latency 50
export OPENAI_BASE_URL="$SERVER/v1" YS_SIM_BASE_URL="$SERVER/v1"
t0=$(date +%s%N)
run_ys conv-latency run "$PC2/suite.lua" --limit 4 --no-cache -j 16 -q -o conv-latency
t1=$(date +%s%N)
unset OPENAI_API_KEY OPENAI_BASE_URL YS_SIM_MODEL YS_SIM_BASE_URL
expect_rc "conversation with latency" 1 || true
busy=$(jq -s 'map(.elapsed_ms) | add | floor' conv-latency/samples.jsonl)
wall=$(( (t1 - t0) / 1000000 ))
[ "$busy" -gt $((wall * 3)) ] ||
  fail "conv-latency: tasks took $busy ms in all, the run $wall ms: not concurrent"
stop_servers
# }======

done_tests
