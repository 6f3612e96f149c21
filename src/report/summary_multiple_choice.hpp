#pragma once
// The multiple-choice part of summary.json: per-mode results with their
// diagnostics and baselines, per-slice tables, the comparisons between
// modes and the interpretation list.

#include <vector>

#include <nlohmann/json.hpp>

#include "data/dataset.hpp"
#include "run/prediction.hpp"

namespace medvlm {

// Returns {"modes", "baselines", "comparisons", "slices", "stand_in_images",
// "interpretation_basis", "interpretation"}. The manifest supplies the
// modes, the rotations, whether the images are stand-ins and whether the
// model is a test model.
[[nodiscard]] nlohmann::json summarize_multiple_choice(const nlohmann::json& manifest, const Dataset& dataset,
                                                       const std::vector<Prediction>& predictions);

}  // namespace medvlm
