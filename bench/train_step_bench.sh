#!/usr/bin/env bash
# Runs the trainer benchmark for variants A, B and C, each in its own
# process so each peak memory is its own, with quantized backward weights
# (the default) and with --f32-backward-weights.
# Writes bench/results/train_step.jsonl (one JSON line per run) and
# bench/results/train_step.md (the table for docs/benchmarks.md).
#
#   bench/train_step_bench.sh [WORK_DIR] [extra medvlm_train_bench flags...]
#
# WORK_DIR (default build/bench-train) keeps the random SmolVLM-256M-shaped
# model between runs. On a machine shared with other jobs, export
# OMP_WAIT_POLICY=passive: ggml's OpenMP threads otherwise spin while they
# wait and lose their time slices to the other jobs.
set -euo pipefail
cd "$(dirname "$0")/.."
work_dir="${1:-build/bench-train}"
shift || true
bench=build/default/bin/medvlm_train_bench
results=bench/results/train_step.jsonl
table=bench/results/train_step.md
mkdir -p "$work_dir" bench/results
: > "$results"
{
    echo "| variant | backward weights | s/step | CPU s/step | training peak MB | process peak MB | tokens/step | tiles/step | s per uncached tile | threads | load average |"
    echo "|---|---|---|---|---|---|---|---|---|---|---|"
} > "$table"
for backward in "" "--f32-backward-weights"; do
    for variant in A B C; do
        # shellcheck disable=SC2086
        "$bench" --variant "$variant" --work-dir "$work_dir" --data-dir "${MEDVLM_SHARED_DATA:-../shared/data}" \
            --out "$results" $backward "$@" >> "$table"
    done
done
# Variant C with one adapted vision block instead of two: each adapted
# block keeps its attention and FFN activations for the backward pass.
# shellcheck disable=SC2086
"$bench" --variant C --late-vision-blocks 1 --work-dir "$work_dir" --data-dir "${MEDVLM_SHARED_DATA:-../shared/data}" \
    --out "$results" "$@" >> "$table"
cat "$table"
