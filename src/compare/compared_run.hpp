#pragma once
// One run directory as `medvlm compare` reads it: the manifest and the
// predictions from its run store (run.sqlite), and summary.json and
// examples.jsonl as `medvlm eval` or `medvlm merge` wrote them from that
// store.

#include <filesystem>
#include <map>
#include <string>

#include <nlohmann/json.hpp>

#include "report/example_index.hpp"
#include "run/prediction.hpp"

namespace medvlm {

struct ComparedRun {
    std::filesystem::path dir;
    std::string label;  // "run A", "run B", ...
    nlohmann::json manifest;
    std::string manifest_hash;
    std::map<std::string, Prediction> predictions;  // by Prediction::key()
    nlohmann::json summary;
    ExampleIndex examples;
};

// "run A" for 0, "run B" for 1, ... "run Z", then "run 27", "run 28", ...
[[nodiscard]] std::string run_label(size_t index);

// Throws InputError naming the directory and the fix when the store, the
// summary or the example index is missing, when the summary predates
// intervals, or when it no longer matches the store (written before the
// last calls were committed).
[[nodiscard]] ComparedRun load_compared_run(const std::filesystem::path& dir, const std::string& label);

}  // namespace medvlm
