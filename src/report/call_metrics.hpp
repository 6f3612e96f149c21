#pragma once
// The per-call metrics that paired comparisons use, and the pairing of two
// groups of calls (two modes of one run, or one mode of two runs) by
// example id and rotation.

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "report/metric_sample.hpp"
#include "run/prediction.hpp"

namespace medvlm {

struct CallMetric {
    std::string name;    // the summary's metric name: "accuracy", "exact_match", ...
    bool binary = true;  // right/wrong values
    // The value of an answered call; nullopt when the call does not count
    // for the metric (an open question for closed_accuracy).
    std::function<std::optional<double>(const Prediction&)> value;
};

// Multiple choice: 1 for the gold option, 0 otherwise (UNKNOWN included).
[[nodiscard]] CallMetric multiple_choice_accuracy();

// Short answers: exact_match, token_f1, closed_accuracy and
// open_token_recall, read from each prediction's stored metrics.
[[nodiscard]] std::vector<CallMetric> short_answer_comparison_metrics();

// Pairs the answered calls of `minuend` and `subtrahend` that count for the
// metric by (example id, rotation), in the order of `minuend`. A counting
// call without an answered, counting partner is counted as unpaired on its
// side. Throws Error when a group holds one (id, rotation) twice.
[[nodiscard]] PairedSample pair_calls(const std::vector<const Prediction*>& minuend,
                                      const std::vector<const Prediction*>& subtrahend, const CallMetric& metric);

}  // namespace medvlm
