#!/bin/bash
# SPDX-License-Identifier: MIT
# A Slurm job array: one task per shard, writing to a shared directory.
# Submit with:
#   jobid=$(sbatch --parsable doc/examples/slurm-array.sh)
#   sbatch --dependency=afterok:$jobid --wrap \
#     'yardstick merge /shared/eval/run-42/shard-* --out /shared/eval/run-42/all &&
#      yardstick gate /shared/eval/run-42/all'
#SBATCH --job-name=yardstick-eval
#SBATCH --array=0-3
#SBATCH --cpus-per-task=2
#SBATCH --mem=2G
#SBATCH --time=04:00:00
#SBATCH --output=/shared/eval/logs/%A_%a.log
set -euo pipefail
SHARDS=4
OUT=/shared/eval/run-42
mkdir -p "$OUT"
# A requeued task (a preempted node) resumes its shard instead of
# starting it again.
if [ -f "$OUT/shard-$SLURM_ARRAY_TASK_ID/manifest.json" ]; then
  exec yardstick run --resume "$OUT/shard-$SLURM_ARRAY_TASK_ID" -q
fi
exec yardstick run /shared/eval/suite.lua -q \
  --shard "$SLURM_ARRAY_TASK_ID/$SHARDS" -o "$OUT/shard-$SLURM_ARRAY_TASK_ID"
