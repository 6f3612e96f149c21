#pragma once
// Per-slice results of a multiple-choice run: for each slice definition
// (medical_task, body_system, question_type, images per row) and value,
// every mode's accuracy with the image gain and the shuffled-image gap.

#include <map>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "report/mode_summary_multiple_choice.hpp"
#include "report/slices.hpp"

namespace medvlm {

// "1", "2" or "3+" images per row.
[[nodiscard]] SliceDefinition images_per_row_slice();

// The slice definitions reported for multiple-choice runs.
[[nodiscard]] std::vector<SliceDefinition> multiple_choice_slice_definitions();

// Returns {definition: {value: {"rows", "modes": {mode: {"n", "correct",
// "accuracy", "rotation_mean_accuracy"}}, "image_gain",
// "shuffled_image_gap"}}}. Accuracies are on the original option order.
// image_gain is image+text minus text-only and shuffled_image_gap is
// image+text minus shuffled-image; each is null when a mode is missing or
// has no answered call in the slice.
[[nodiscard]] nlohmann::json summarize_multiple_choice_slices(
    const std::vector<std::string>& modes, const std::map<std::string, std::vector<const Prediction*>>& by_mode,
    const std::vector<Example>& examples, const MultipleChoiceContext& context);

}  // namespace medvlm
