#!/usr/bin/env bash
# Builds medvlm, the unit tests and the bad-input tests with
# AddressSanitizer and UndefinedBehaviorSanitizer (CMake preset
# `sanitize`) and runs them. Extra arguments go to ctest.
set -euo pipefail
repo_root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$repo_root"

cmake --preset sanitize >/dev/null
cmake --build --preset sanitize --target medvlm medvlm_unit_tests medvlm_bad_input_tests

# ASan reserves terabytes of address space, so the bad-input test cannot
# cap memory with `ulimit -v` here. An allocation above 4 GiB is reported
# as an error instead, and so is a process whose resident memory passes it.
export ASAN_OPTIONS=${ASAN_OPTIONS:-max_allocation_size_mb=4096:hard_rss_limit_mb=4096:detect_leaks=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
ctest --preset sanitize -L 'unit|bad_inputs' "$@"
