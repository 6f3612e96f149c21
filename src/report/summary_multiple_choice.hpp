#pragma once
// The multiple-choice part of summary.json: per-mode results with their
// diagnostics, baselines and intervals, per-slice tables, the paired
// comparisons between modes and the interpretation list.

#include <vector>

#include <nlohmann/json.hpp>

#include "data/dataset.hpp"
#include "report/statistics_context.hpp"
#include "run/prediction.hpp"

namespace medvlm {

// Returns {"modes", "baselines", "comparisons", "slices", "stand_in_images",
// "statistics", "interpretation_basis", "interpretation"}. The manifest
// supplies the benchmark, the modes, the rotations, whether the images are
// stand-ins and whether the model is a test model. "comparisons" holds
// "image_gain" (image+text minus text-only) and "shuffled_image_gap"
// (image+text minus shuffled-image), each a paired_json() object on the
// original option order, or null when a mode of the pair did not run.
[[nodiscard]] nlohmann::json summarize_multiple_choice(const nlohmann::json& manifest, const Dataset& dataset,
                                                       const std::vector<Prediction>& predictions,
                                                       const StatisticsSettings& settings = {});

// The paired comparison of two modes' accuracy on the original option order
// (rotation 0), or null when either mode has no calls.
[[nodiscard]] nlohmann::json compare_modes_multiple_choice(const std::vector<const Prediction*>& minuend,
                                                           const std::vector<const Prediction*>& subtrahend,
                                                           const StatisticsContext& statistics);

// The basis sentence every interpretation statement repeats.
[[nodiscard]] std::string interval_basis(const StatisticsContext& statistics);

}  // namespace medvlm
