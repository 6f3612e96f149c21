#!/usr/bin/env bash
# Measures medvlm's throughput against the usual ways of running llama.cpp
# and writes bench/results/throughput.json and bench/results/throughput.md
# (the four-way table with ratios and token counts; docs/benchmarks.md
# describes it). Extra arguments go to medvlm_throughput_bench, for example
#   bench/throughput.sh --shapes tiny --workloads medxpertqa
#
# Environment: MEDVLM_SHARED_DATA (default ../shared/data next to the
# repository) and MEDVLM_BENCH_OUT (default bench/results, with the runs
# under its work/ folder).
set -euo pipefail

repo_root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
data_dir=${MEDVLM_SHARED_DATA:-$repo_root/../shared/data}
out_dir=${MEDVLM_BENCH_OUT:-$repo_root/bench/results}

[[ -d "$data_dir/slake" && -d "$data_dir/medxpertqa_mm" ]] ||
    { echo "benchmark data not found in $data_dir; set MEDVLM_SHARED_DATA" >&2; exit 2; }
[[ -f "$repo_root/build/llama-prefix.txt" ]] ||
    { echo "build/llama-prefix.txt is missing; run scripts/setup.sh first" >&2; exit 2; }
llama_bin="$(cat "$repo_root/build/llama-prefix.txt")/bin"

cmake --preset default >/dev/null
cmake --build --preset default --target medvlm medvlm_throughput_bench

"$repo_root/build/default/bench/medvlm_throughput_bench" \
    --data "$data_dir" --out "$out_dir" \
    --medvlm "$repo_root/build/default/bin/medvlm" --llama-bin "$llama_bin" "$@"
