#pragma once
// The short-answer part of summary.json: every metric under its exact name.

#include <vector>

#include <nlohmann/json.hpp>

#include "data/dataset.hpp"
#include "run/prediction.hpp"

namespace medvlm {

// Returns {"modes": {...}}.
[[nodiscard]] nlohmann::json summarize_short_answer(const nlohmann::json& manifest, const Dataset& dataset,
                                                    const std::vector<Prediction>& predictions);

}  // namespace medvlm
