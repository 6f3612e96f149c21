#pragma once
// Which calls of two runs can be paired. Calls pair by example id, mode and
// rotation; every call that cannot be paired is listed here by key, so no
// example leaves a comparison without being reported.

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "compare/compared_run.hpp"

namespace medvlm {

struct RunPairing {
    std::string first;   // run labels
    std::string second;
    size_t paired = 0;   // keys answered in both runs
    std::vector<std::string> modes_only_in_first;
    std::vector<std::string> modes_only_in_second;
    std::vector<std::string> examples_only_in_first;  // ids in one example index only
    std::vector<std::string> examples_only_in_second;
    // Keys (id|mode|rotation) of common modes stored in one run only.
    std::vector<std::string> calls_only_in_first;
    std::vector<std::string> calls_only_in_second;
    // Keys stored in both runs but failed in the named run (or in both).
    std::vector<std::string> failed_in_first;
    std::vector<std::string> failed_in_second;

    [[nodiscard]] bool complete() const;
    // Every list in full, with its count.
    [[nodiscard]] nlohmann::json to_json() const;
};

[[nodiscard]] RunPairing pair_runs(const ComparedRun& first, const ComparedRun& second);

// The modes both runs evaluated, in the first run's order.
[[nodiscard]] std::vector<std::string> common_modes(const ComparedRun& first, const ComparedRun& second);

}  // namespace medvlm
