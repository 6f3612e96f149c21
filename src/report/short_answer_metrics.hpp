#pragma once
// One block of short-answer metrics over a group of scored predictions: the
// overall figures of a mode and language, or one slice row. Every block has
// the same keys, so a slice row reads like the overall row.

#include <vector>

#include <nlohmann/json.hpp>

#include "run/prediction.hpp"

namespace medvlm {

// Returns {"n", "failed", "truncated", "empty_replies", "closed_open_source",
// "exact_match", "token_f1", "token_recall", "closed_accuracy",
// "closed_yes_no_accuracy", "closed_no_polar_answer",
// "closed_other_exact_match", "open_exact_match", "open_token_f1",
// "open_token_recall"}. Proportions carry {n, correct, value, ci95} with a
// Wilson 95 % interval; means carry {n, value}. Failed calls enter only
// "failed". Throws Error naming the prediction when its metrics are missing.
[[nodiscard]] nlohmann::json short_answer_metrics(const std::vector<const Prediction*>& calls);

}  // namespace medvlm
