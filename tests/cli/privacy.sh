#!/bin/sh
# SPDX-License-Identifier: MIT
# Secrets and privacy: a planted API key appears in no file a run writes
# and in no output of any command, even when the server refuses it; run
# directories are 0700 and their files 0600; --redact keeps named dataset
# fields' values out of the results.
. "${YS_SRCDIR:-.}/tests/setup"
cd "$TMP"
KEY=sk-planted-9f3c1e77-secret
export YS_TEST_KEY="$KEY"

start_server --require-key "$KEY"
awk 'BEGIN { for(i = 1; i <= 12; i++)
  printf("{\"id\": \"s%02d\", \"title\": \"item %d\", \"label\": \"L%d\"}\n", i, i, i % 3) }' > data.jsonl
# suite FILE KEY_ENV
suite() {
  cat > "$1" <<LUA
local ys = require "yardstick"
return ys.suite {
  name = "secret",
  dataset = ys.jsonl "data.jsonl",
  prompt = "Classify {{title}}\\nANSWER: {{label}}",
  models = { served = ys.openai { base_url = "$SERVER/v1", model = "m",
                                  api_key_env = "$2" },
             other = ys.replay { field = "label" } },
  metrics = { ys.metric "exact_match" { expected = "label" } },
  gates = { { model = "served", metric = "exact_match", min = 0.5 } },
}
LUA
}

# {====== a planted key leaks nowhere ======
suite ok.lua YS_TEST_KEY
run_ys run run ok.lua -o keyrun -j 4
expect_rc "run with the key" 0 || true
cat "$TMP/out" "$TMP/err" > all-output
for cmd in "gate keyrun" "gate keyrun --json" "compare keyrun" "compare keyrun --json" \
           "cost keyrun --samples-per-month 1000" "report keyrun --format json" \
           "report keyrun --format csv" "report keyrun --format junit" \
           "report keyrun --format md" "report keyrun --format html"; do
  # shellcheck disable=SC2086
  run_ys "$cmd" $cmd
  cat "$TMP/out" "$TMP/err" >> all-output
done
# A key the server refuses: the 401 must not echo it.
YS_OTHER_KEY=sk-planted-wrong-0000 
export YS_OTHER_KEY
suite bad.lua YS_OTHER_KEY
run_ys refused run bad.lua -o refused -j 2 --no-cache
[ "$RC" != 0 ] || fail "a refused key: the run succeeded"
cat "$TMP/out" "$TMP/err" >> all-output
YARDSTICK_DEBUG=1 run_ys debug run bad.lua -o refused-debug -j 2 --no-cache
cat "$TMP/out" "$TMP/err" >> all-output
if grep -rqaF -e "$KEY" -e "sk-planted-wrong" keyrun refused refused-debug "$XDG_CACHE_HOME" all-output; then
  fail "the planted key appears in: $(grep -rlaF -e "$KEY" -e "sk-planted-wrong" keyrun refused refused-debug "$XDG_CACHE_HOME" all-output | tr '\n' ' ')"
fi
grep -q "401" all-output || fail "the refused key gave no 401 message"
# }======

# {====== permissions ======
[ "$(stat -c %a keyrun)" = 700 ] || fail "run directory mode $(stat -c %a keyrun)"
for f in keyrun/*; do
  [ "$(stat -c %a "$f")" = 600 ] || fail "$f mode $(stat -c %a "$f")"
done
run_ys report-file report keyrun --format md -o report.md
[ -f report.md ] || fail "report -o wrote nothing"
# }======

# {====== --redact ======
cat > patients.jsonl <<'JSONL'
{"id": "p1", "name": "Ann Lee", "dob": "1961-04-02", "mrn": 88231, "complaint": "chest pain"}
{"id": "p2", "name": "Bo", "dob": "1990-12-30", "mrn": 10477, "complaint": "cough"}
{"id": "p3", "name": "Carla Diaz-Ortiz", "dob": "1975-07-19", "mrn": 55012, "complaint": "rash"}
JSONL
cat > intake.lua <<'LUA'
local ys = require "yardstick"
return ys.suite {
  name = "intake",
  dataset = ys.jsonl "patients.jsonl",
  prompt = "{{complaint}}",
  models = {
    echo = ys.model { chat = function(self, r)
      local s = r.sample
      if s.id == "p3" then
        error("cannot reach the record of " .. s.name .. " (MRN " .. s.mrn .. ")", 0)
      end
      return "Patient " .. string.upper(s.name) .. ", born " .. s.dob ..
             ", MRN " .. s.mrn .. ": " .. s.complaint
    end },
  },
  metrics = { ys.metric "regex" { pattern = "born ([0-9-]+)", group = 1,
                                  expected = "dob" },
              ys.metric "contains" { values = { "chest" } } },
  max_error_rate = 0.5,
}
LUA
run_ys redact run intake.lua -q -o red --redact name,dob,mrn
expect_rc "--redact" 0 || true
[ "$(json 'select(.id == "p1") | .output' red/samples.jsonl)" = "Patient [redacted:name], born [redacted:dob], MRN [redacted:mrn]: chest pain" ] ||
  fail "--redact: output: $(head -1 red/samples.jsonl)"
[ "$(json 'select(.id == "p1") | .details.regex.extracted' red/samples.jsonl)" = "[redacted:dob]" ] ||
  fail "--redact: detail: $(head -1 red/samples.jsonl)"
# A value of fewer than three characters is left alone.
[ "$(json 'select(.id == "p2") | .output' red/samples.jsonl)" = "Patient BO, born [redacted:dob], MRN [redacted:mrn]: cough" ] ||
  fail "--redact: short value: $(sed -n 2p red/samples.jsonl)"
[ "$(json 'select(.id == "p3") | .error' red/samples.jsonl)" = "cannot reach the record of [redacted:name] (MRN [redacted:mrn])" ] ||
  fail "--redact: error: $(sed -n 3p red/samples.jsonl)"
# Scores are computed before redaction.
[ "$(json 'select(.id == "p1") | .scores.contains' red/samples.jsonl)" = 1 ] || fail "--redact: scores"
if grep -rqaiF -e "Ann Lee" -e "1961-04-02" -e "88231" -e "Diaz-Ortiz" red; then
  fail "--redact: a value is still in the run directory"
fi
run_ys redact-csv report red --format csv
if grep -qiF -e "Ann Lee" -e "1961-04-02" "$TMP/out"; then fail "--redact: the CSV report has a value"; fi
[ "$(json '.options.redact | join(",")' red/manifest.json)" = "name,dob,mrn" ] || fail "--redact: manifest"
run_ys redact-typo run intake.lua -q -o red2 --redact name,birthday
expect_rc "--redact with an unknown field" 2 || true
[ "$(cat "$TMP/err")" = "yardstick: patients.jsonl: --redact: no sample has a field 'birthday'" ] ||
  fail "--redact typo: $(cat "$TMP/err")"
[ ! -e red2 ] || fail "--redact typo: a run directory was made"
run_ys redact-empty run intake.lua -q -o red3 --redact ,
expect_rc "--redact ," 2 || true
run_ys redact-resume run --resume red --redact name
expect_rc "--redact with --resume" 2 || true
# }======

done_tests
