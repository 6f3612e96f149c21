#!/usr/bin/env bash
# Builds the libFuzzer targets (CMake preset `fuzz`: clang, AddressSanitizer,
# UndefinedBehaviorSanitizer) and runs each one for SECONDS seconds.
#
#   scripts/fuzz.sh [SECONDS] [TARGET...]     (default: 30 s, every target)
#
# Before fuzzing, each target replays fuzz/regressions/TARGET/, the inputs
# of earlier findings, so a fixed crash stays fixed. The seed corpus comes
# from the real benchmark files ($MEDVLM_SHARED_DATA or ../shared/data),
# tests/bad_inputs and the golden files. The corpus grows in
# build/fuzz/corpus/TARGET and is kept between runs. A crash, leak, timeout
# or broken invariant stops the script with exit code 1 and leaves the
# input in build/fuzz/findings/TARGET/; copy it into
# fuzz/regressions/TARGET/ and add a case to tests/bad_inputs/cases.jsonl
# once it is fixed.
set -euo pipefail
repo_root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$repo_root"

seconds=${1:-30}
shift || true
all_targets=(fuzz_medxpertqa_records fuzz_slake_records fuzz_vqa_rad_records
             fuzz_chat_response fuzz_choice_extractor fuzz_normalize_answer)
targets=("$@")
if [[ ${#targets[@]} -eq 0 ]]; then
    targets=("${all_targets[@]}")
fi
data_dir=${MEDVLM_SHARED_DATA:-$repo_root/../shared/data}
work=build/fuzz

log() { printf '[fuzz] %s\n' "$*" >&2; }
die() { printf '[fuzz] error: %s\n' "$*" >&2; exit 2; }

[[ "$seconds" =~ ^[0-9]+$ && "$seconds" -gt 0 ]] || die "SECONDS must be a positive whole number, got '$seconds'"
[[ -d "$data_dir" ]] || die "$data_dir not found: set MEDVLM_SHARED_DATA to the benchmark data folder"
command -v jq >/dev/null || die "jq not found: run scripts/setup.sh"

cmake --preset fuzz >/dev/null
cmake --build --preset fuzz

# Writes each line of stdin to its own file in directory $1, named by a
# prefix $2 and the line number.
lines_to_files() {
    local dir=$1 prefix=$2 n=0 line
    mkdir -p "$dir"
    while IFS= read -r line; do
        n=$((n + 1))
        printf '%s' "$line" >"$dir/$prefix-$n"
    done
}

# Writes the seed corpus of target $1 into directory $2.
write_seeds() {
    local target=$1 dir=$2
    rm -rf "$dir"
    mkdir -p "$dir"
    case "$target" in
        fuzz_medxpertqa_records)
            head -n 64 "$data_dir/medxpertqa_mm/MM_test.sample.jsonl" | lines_to_files "$dir" record
            head -n 3 "$data_dir/medxpertqa_mm/MM_test.sample.jsonl" >"$dir/three-records"
            cp tests/bad_inputs/records/medxpertqa/*.jsonl "$dir/"
            ;;
        fuzz_slake_records)
            jq -c 'limit(32; .[] | [.])' "$data_dir/slake/test.json" | lines_to_files "$dir" record
            jq -c '[.[] | select(.q_lang == "zh")][:2]' "$data_dir/slake/test.json" >"$dir/chinese-records"
            cp tests/bad_inputs/records/slake/*.json "$dir/"
            ;;
        fuzz_vqa_rad_records)
            jq -c 'limit(32; .[] | [.])' "$data_dir/vqa_rad/VQA_RAD_Dataset_Public.test.json" |
                lines_to_files "$dir" record
            jq -c '.[:3]' "$data_dir/vqa_rad/VQA_RAD_Dataset_Public.train.json" >"$dir/train-records"
            cp tests/bad_inputs/records/vqa_rad/*.json "$dir/"
            ;;
        fuzz_chat_response)
            # The first byte selects the scoring: '0' generated, '1' choice-logprob.
            local reply
            for reply in tests/bad_inputs/replies/*; do
                { printf '0'; cat "$reply"; } >"$dir/generate-$(basename "$reply")"
                { printf '1'; cat "$reply"; } >"$dir/logprob-$(basename "$reply")"
            done
            ;;
        fuzz_choice_extractor)
            jq -c '.reply' tests/golden/choice_extractor.jsonl | while IFS= read -r reply; do
                jq -j -n --argjson reply "$reply" '$reply' >"$dir/reply-$(printf '%s' "$reply" | sha1sum | cut -c1-12)"
            done
            # One reply with option texts, from a real MedXpertQA-MM record.
            head -n 1 "$data_dir/medxpertqa_mm/MM_test.sample.jsonl" |
                jq -j '"The answer is (C) " + .options.C, (.options | to_entries[] | "\u0000" + .value)' \
                >"$dir/with-option-texts"
            ;;
        fuzz_normalize_answer)
            # The first byte selects the options: bit 0 English articles, bit 1 number words.
            jq -c '.input' tests/golden/normalize.jsonl | while IFS= read -r text; do
                jq -j -n --argjson text "$text" '"\u0003" + $text' >"$dir/golden-$(printf '%s' "$text" | sha1sum | cut -c1-12)"
            done
            jq -c '[.[].answer | tostring] | unique | .[:64][]' "$data_dir/slake/test.json" |
                while IFS= read -r text; do
                    jq -j -n --argjson text "$text" '"\u0001" + $text' >"$dir/slake-$(printf '%s' "$text" | sha1sum | cut -c1-12)"
                done
            jq -c '[.[].answer | tostring] | unique | .[:64][]' "$data_dir/vqa_rad/VQA_RAD_Dataset_Public.test.json" |
                while IFS= read -r text; do
                    jq -j -n --argjson text "$text" '"\u0003" + $text' >"$dir/vqa-rad-$(printf '%s' "$text" | sha1sum | cut -c1-12)"
                done
            ;;
        *) die "unknown target '$target'; the targets are: ${all_targets[*]}" ;;
    esac
}

# ASan's leak check is on; UBSan reports stop the run (the build passes
# -fno-sanitize-recover=undefined).
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}

status=0
for target in "${targets[@]}"; do
    binary=$work/bin/$target
    [[ -x "$binary" ]] || die "$binary was not built; the targets are: ${all_targets[*]}"
    seeds=$work/seeds/$target
    corpus=$work/corpus/$target
    findings=$work/findings/$target
    write_seeds "$target" "$seeds"
    mkdir -p "$corpus" "$findings"

    regressions=fuzz/regressions/$target
    if [[ -d "$regressions" ]] && compgen -G "$regressions/*" >/dev/null; then
        log "$target: replaying $(find "$regressions" -type f | wc -l) regression inputs"
        if ! "$binary" -runs=0 "$regressions"/* >"$work/$target.regressions.log" 2>&1; then
            log "$target: a regression input fails again; see $work/$target.regressions.log"
            status=1
            continue
        fi
    fi

    log "$target: fuzzing for $seconds s ($(find "$seeds" -type f | wc -l) seeds, corpus $corpus)"
    if "$binary" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -max_len=8192 -print_final_stats=1 \
        -artifact_prefix="$findings/" "$corpus" "$seeds" >"$work/$target.log" 2>&1; then
        runs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$work/$target.log" | grep -o '[0-9]*$' || echo '?')
        log "$target: no finding in $runs inputs ($(find "$corpus" -type f | wc -l) corpus files)"
    else
        log "$target: FINDING; the input is in $findings/, the report in $work/$target.log:"
        grep -E 'ERROR: |runtime error|SUMMARY|Test unit written' "$work/$target.log" | head -n 8 >&2 || true
        status=1
    fi
done
exit "$status"
