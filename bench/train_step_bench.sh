#!/usr/bin/env bash
# Runs the trainer benchmark for variants A, B and C, each in its own
# process so each peak memory is its own, with and without --low-memory.
# Writes bench/results/train_step.jsonl and prints a Markdown table for
# docs/benchmarks.md.
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
mkdir -p "$work_dir" bench/results
: > "$results"
for memory in "" "--low-memory"; do
    for variant in A B C; do
        # shellcheck disable=SC2086
        "$bench" --variant "$variant" --work-dir "$work_dir" --data-dir "${MEDVLM_SHARED_DATA:-../shared/data}" \
            --out "$results" $memory "$@"
    done
done
python3 - "$results" <<'PY'
import json, sys
rows = [json.loads(line) for line in open(sys.argv[1])]
print("| variant | backward weights | s/step | training peak MB | process peak MB | tokens/step | tiles/step "
      "| s per uncached tile | threads | load average |")
print("|---|---|---|---|---|---|---|---|---|---|")
for r in rows:
    name = r["variant"] + (f" (last {r['late_vision_blocks']} blocks)" if r["variant"] == "C" else "")
    backward = "quantized (--low-memory)" if r["low_memory"] else "F32 copies"
    print(f"| {name} | {backward} | {r['seconds_per_step']:.1f} | {r['training_peak_mb']:.0f} | "
          f"{r['process_peak_mb']:.0f} | {r['tokens_per_step']:.0f} | {r['tiles_per_step']:.0f} | "
          f"{r['seconds_per_uncached_tile']:.1f} | {r['threads']} | "
          f"{r['load_average_before']:.1f} to {r['load_average_after']:.1f} |")
PY
