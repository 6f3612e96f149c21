#!/usr/bin/env bash
# Configures and builds medvlm with the default CMake preset. Run
# scripts/setup.sh first (scripts/quickstart.sh and scripts/test.sh do).
set -euo pipefail
repo_root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$repo_root"

if [[ ! -f build/llama-prefix.txt ]]; then
    echo "[build] error: build/llama-prefix.txt is missing; run scripts/setup.sh first" >&2
    exit 1
fi
cmake --preset default >/dev/null
cmake --build --preset default
