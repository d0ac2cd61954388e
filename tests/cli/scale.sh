#!/bin/sh
# SPDX-License-Identifier: MIT
# The scale examples of doc/scale.md: the one-host script runs for real
# (shards side by side, merge, gate) and gives the unsharded run's
# results; the Slurm script and the Kubernetes Jobs are checked as far as
# this machine can (shell syntax; the fields an Indexed Job needs).
. "${YS_SRCDIR:-.}/tests/setup"
cd "$TMP"
EXAMPLES=$YS_SRCDIR/doc/examples

# The example calls `yardstick` from PATH.
mkdir bin
ln -s "$YS_BIN" bin/yardstick
PATH=$TMP/bin:$PATH
export PATH

awk 'BEGIN { for(i = 1; i <= 200; i++)
  printf("{\"id\": \"r%03d\", \"category\": \"A > B%d > C%d\", \"pred\": \"A > B%d > C%d\"}\n", i, i % 5, i % 3, i % 5, i % 4) }' > data.jsonl
cat > suite.lua <<'LUA'
local ys = require "yardstick"
return ys.suite {
  name = "scale-example",
  dataset = ys.jsonl "data.jsonl",
  prompt = "{{category}}",
  models = { recorded = ys.replay { field = "pred" } },
  metrics = { ys.metric "taxonomy_depth" { expected = "category" } },
  gates = { { model = "recorded", metric = "taxonomy_depth.level2", min = 0.9 } },
}
LUA
run_ys whole run suite.lua -q -o whole
expect_rc "the unsharded run" 0 || true
if sh "$EXAMPLES/parallel.sh" suite.lua 4 scaled >"$TMP/out" 2>"$TMP/err"; then RC=0; else RC=$?; fi
expect_rc "doc/examples/parallel.sh" 0 || true
[ "$(ls -d scaled/shard-* | wc -l)" = 4 ] || fail "parallel.sh: four shard directories expected"
jq -c 'del(.latency_ms, .elapsed_ms)' whole/samples.jsonl > a
jq -c 'del(.latency_ms, .elapsed_ms)' scaled/all/samples.jsonl > b
cmp -s a b || fail "parallel.sh: merged results differ from the unsharded run"
grep -q "^gate PASS" "$TMP/out" || fail "parallel.sh: no gate verdict: $(cat "$TMP/out")"

# The Slurm script: shell syntax, and the array and shard wiring.
bash -n "$EXAMPLES/slurm-array.sh" || fail "slurm-array.sh: syntax"
grep -q '^#SBATCH --array=0-3$' "$EXAMPLES/slurm-array.sh" || fail "slurm-array.sh: array"
grep -q -- '--shard "$SLURM_ARRAY_TASK_ID/$SHARDS"' "$EXAMPLES/slurm-array.sh" || fail "slurm-array.sh: shard"

# The Kubernetes Jobs: no tool to validate them here, so the fields an
# Indexed Job depends on, and that its command is valid shell.
y=$EXAMPLES/k8s-indexed-job.yaml
for want in 'completionMode: Indexed' 'completions: 4' 'parallelism: 4' \
            'kind: Job' 'restartPolicy: OnFailure'; do
  grep -q "$want" "$y" || fail "k8s-indexed-job.yaml: no '$want'"
done
[ "$(grep -c '^apiVersion: batch/v1$' "$y")" = 2 ] || fail "k8s-indexed-job.yaml: two Jobs expected"
if grep -q "$(printf '\t')" "$y"; then fail "k8s-indexed-job.yaml: a tab (YAML forbids them)"; fi
awk '/args:/{f=1; next} f && /^ *- \|/{s=1; next} s && /^ *(volumeMounts|volumes):/{exit} s' "$y" |
  sed 's/^              //' > shard-cmd.sh
sh -n shard-cmd.sh || fail "k8s-indexed-job.yaml: the shard command is not valid shell"
grep -q 'JOB_COMPLETION_INDEX/$SHARDS' shard-cmd.sh || fail "k8s-indexed-job.yaml: shard wiring"

done_tests
