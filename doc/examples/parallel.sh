#!/bin/sh
# SPDX-License-Identifier: MIT
# Shards on one host: N shards of a suite side by side, then merged and
# gated. GNU parallel if it is installed, else xargs -P.
#   doc/examples/parallel.sh SUITE.lua N OUT_DIR [yardstick options...]
set -eu
suite=$1 n=$2 out=$3
shift 3
mkdir -p "$out"
if command -v parallel >/dev/null 2>&1; then
  # shellcheck disable=SC2016
  seq 0 $((n - 1)) | parallel -j "$n" --halt now,fail=1 \
    yardstick run "$suite" --shard "{}/$n" -o "$out/shard-{}" -q "$@"
else
  seq 0 $((n - 1)) | xargs -P "$n" -I{} \
    yardstick run "$suite" --shard "{}/$n" -o "$out/shard-{}" -q "$@"
fi
# A shard that stopped (a crash, a node lost) is finished with
#   yardstick run --resume OUT_DIR/shard-K
yardstick merge "$out"/shard-* --out "$out/all"
yardstick gate "$out/all"
