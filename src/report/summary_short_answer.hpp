#pragma once
// The short-answer part of summary.json: every metric under its exact name,
// per mode and per question language, overall and per slice.

#include <vector>

#include <nlohmann/json.hpp>

#include "data/dataset.hpp"
#include "report/statistics_context.hpp"
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
//       type was derived from its gold answer;
//   "comparisons": {"image_gain": {language: {metric: paired}},
//       "shuffled_image_gap": ...}: image+text minus text-only and minus
//       shuffled-image (compare_short_answer_calls()), null when a mode of
//       the pair did not run;
//   "statistics": how the intervals were computed.
// Throws Error when a prediction's id is not among the dataset's rows.
[[nodiscard]] nlohmann::json summarize_short_answer(const nlohmann::json& manifest, const Dataset& dataset,
                                                    const std::vector<Prediction>& predictions,
                                                    const StatisticsSettings& settings = {});

// {metric: paired_json()} for exact_match, token_f1, closed_accuracy and
// open_token_recall, pairing the calls by example id.
[[nodiscard]] nlohmann::json compare_short_answer_calls(const std::vector<const Prediction*>& minuend,
                                                        const std::vector<const Prediction*>& subtrahend,
                                                        const StatisticsContext& statistics);

}  // namespace medvlm
