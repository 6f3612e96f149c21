#pragma once
// The results of one ablation mode of a multiple-choice run: accuracy on
// the original option order, the rotation statistics, the letter-bias
// diagnostics, the "image not received" canary and the baselines computed
// on the rows the mode evaluated.

#include <map>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "data/example.hpp"
#include "prompts/mode.hpp"
#include "run/prediction.hpp"

namespace medvlm {

// What the mode builders need besides the predictions.
struct MultipleChoiceContext {
    std::map<std::string, const Example*> rows;  // by example id
    size_t option_count = 0;
    int rotations = 1;
};

struct AccuracyCount {
    int64_t n = 0;  // answered calls (ok), UNKNOWN included
    int64_t correct = 0;
};

// Accuracy of the answered calls with the given rotation.
[[nodiscard]] AccuracyCount accuracy_at_rotation(const std::vector<const Prediction*>& calls, int rotation);

// The mean over rotations 0..rotations-1 of each rotation's accuracy;
// rotations without an answered call are left out, and with none at all
// the result is empty.
[[nodiscard]] std::optional<double> rotation_mean_accuracy(const std::vector<const Prediction*>& calls,
                                                           int rotations);

// The letter at which a call showed the gold option. Rotation r shows
// original option (i + r) mod n at position i (see rotation_order).
[[nodiscard]] std::string gold_shown_letter(const Example& example, int rotation);

// The per-mode object of summary.json. `calls` are the predictions of one
// mode (every rotation).
[[nodiscard]] nlohmann::json summarize_multiple_choice_mode(AblationMode mode,
                                                            const std::vector<const Prediction*>& calls,
                                                            const MultipleChoiceContext& context);

}  // namespace medvlm
