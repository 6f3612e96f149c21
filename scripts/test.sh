#!/usr/bin/env bash
# Installs what medvlm needs (a no-op when already done), builds it and runs
# the whole test suite. Extra arguments go to ctest, for example
# `scripts/test.sh -L unit` or `scripts/test.sh -R Extractor`.
set -euo pipefail
repo_root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$repo_root"

bash scripts/setup.sh
bash scripts/build.sh
ctest --preset default "$@"
