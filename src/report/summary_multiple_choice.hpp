#pragma once
// The multiple-choice part of summary.json: per-mode results and baselines.

#include <vector>

#include <nlohmann/json.hpp>

#include "data/dataset.hpp"
#include "run/prediction.hpp"

namespace medvlm {

// Returns {"modes": {...}, "baselines": {...}}.
[[nodiscard]] nlohmann::json summarize_multiple_choice(const nlohmann::json& manifest, const Dataset& dataset,
                                                       const std::vector<Prediction>& predictions);

}  // namespace medvlm
