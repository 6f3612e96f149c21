#!/usr/bin/env bash
# The first run: installs what medvlm needs, builds it, writes a tiny
# random-weight test model and evaluates it on the SLAKE English test
# questions with their images, printing the image telemetry and results.
#
#   scripts/quickstart.sh [--data FILE --image-root DIR] [extra eval flags]
#
# Without --data it reads ../shared/data/slake/test.json next to the
# repository. The scores of a random-weight model are noise: the run shows
# that images reach the model and what a report looks like.
set -euo pipefail
repo_root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$repo_root"

data="$repo_root/../shared/data/slake/test.json"
image_root="$repo_root/../shared/data/slake/images"
extra=()
while (($#)); do
    case "$1" in
        --data) data=$2; shift 2 ;;
        --image-root) image_root=$2; shift 2 ;;
        *) extra+=("$1"); shift ;;
    esac
done
if [[ ! -f "$data" ]]; then
    echo "[quickstart] error: SLAKE test file not found at $data; pass --data PATH/test.json --image-root PATH/images" >&2
    exit 1
fi

bash scripts/setup.sh
bash scripts/build.sh

medvlm="$repo_root/build/default/bin/medvlm"
model_dir="$repo_root/build/demo/tiny-model"
run_dir="$repo_root/build/demo/slake-en-$(date +%Y%m%d-%H%M%S)"
"$medvlm" make-tiny-model --out "$model_dir" --seed 1
"$medvlm" eval --benchmark slake --data "$data" --image-root "$image_root" --lang en \
    --model "$model_dir/model.gguf" --mmproj "$model_dir/mmproj.gguf" \
    --modes image+text,text-only --out "$run_dir" "${extra[@]}"
echo "[quickstart] report: $run_dir/report.md"
