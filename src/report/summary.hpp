#pragma once
// summary.json: telemetry, validity checks and per-mode results computed
// from the predictions of a run.

#include <vector>

#include <nlohmann/json.hpp>

#include "data/dataset.hpp"
#include "report/statistics_context.hpp"
#include "run/prediction.hpp"

namespace medvlm {

// `manifest` supplies the task, modes and rotations; `dataset` the
// evaluated rows and their telemetry; `settings` how intervals are computed
// (recorded under "statistics").
[[nodiscard]] nlohmann::json build_summary(const nlohmann::json& manifest, const Dataset& dataset,
                                           const std::vector<Prediction>& predictions,
                                           const StatisticsSettings& settings = {});

}  // namespace medvlm
