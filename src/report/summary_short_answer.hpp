#pragma once
// The short-answer part of summary.json: every metric under its exact name,
// per mode and per question language, overall and per slice.

#include <vector>

#include <nlohmann/json.hpp>

#include "data/dataset.hpp"
#include "run/prediction.hpp"

namespace medvlm {

// Returns
//   "languages": the question languages present, for example ["en", "zh"];
//   "metrics": {mode: {language: block}} with the block of
//       short_answer_metrics(); languages are never pooled;
//   "slices": {mode: {language: {slice: {value: block}}}};
//   "metric_definitions": the manifest's definitions;
//   "slice_definitions": [{"name", "description"}] in report order;
//   "closed_open": where closed/open came from, with a note when any row's
//       type was derived from its gold answer.
// Throws Error when a prediction's id is not among the dataset's rows.
[[nodiscard]] nlohmann::json summarize_short_answer(const nlohmann::json& manifest, const Dataset& dataset,
                                                    const std::vector<Prediction>& predictions);

}  // namespace medvlm
