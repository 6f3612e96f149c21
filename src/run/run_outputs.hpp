#pragma once
// The files a run directory shows, all written from the run store:
// predictions.jsonl (planned calls in plan order), summary.json and
// report.md. `medvlm eval` writes them at the end of every session and
// `medvlm merge` for the merged run.

#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "data/dataset.hpp"
#include "run/prediction.hpp"
#include "run/shard.hpp"

namespace medvlm {

// How much of the planned work the store holds.
struct RunCompleteness {
    ShardSpec shard;
    size_t planned = 0;
    size_t answered = 0;
    size_t failed = 0;
    std::vector<std::string> missing_keys;  // planned calls with nothing stored, in plan order
    std::vector<std::string> failed_keys;   // in plan order

    [[nodiscard]] bool complete() const { return missing_keys.empty() && failed == 0; }
    // Counts, and the first 20 missing and failed keys.
    [[nodiscard]] nlohmann::json to_json() const;
};

// Throws Error when the store contains a call the plan does not contain (the
// store and the plan must come from the same manifest).
[[nodiscard]] RunCompleteness check_completeness(const std::vector<std::string>& planned_keys,
                                                 const std::map<std::string, Prediction>& stored,
                                                 const ShardSpec& shard);

// Writes the three files and returns the summary: build_summary over the
// stored predictions, plus a "completeness" section.
nlohmann::json write_run_outputs(const std::filesystem::path& dir, const nlohmann::json& manifest,
                                 const Dataset& dataset, const std::vector<std::string>& planned_keys,
                                 const std::map<std::string, Prediction>& stored, const RunCompleteness& completeness);

}  // namespace medvlm
