#pragma once
// How a short-answer row is read before scoring: its language, whether it
// is closed, and whether its gold answer is a yes/no answer. The scorer,
// the slices and the summary all use these, so they never disagree.

#include <optional>
#include <string>

#include "data/example.hpp"
#include "scoring/normalize.hpp"

namespace medvlm {

// SLAKE's q_lang ("en" or "zh"); "en" for rows without one (VQA-RAD is
// English only).
[[nodiscard]] std::string question_language(const Example& example);

// Normalization options for the row's language (English articles are
// dropped only for English questions).
[[nodiscard]] NormalizeOptions normalize_options_for(const Example& example, const NormalizeOptions& base);

// The row's answer_type: true for CLOSED, false for OPEN, std::nullopt when
// the row has none. Throws InputError naming the row for any other value.
[[nodiscard]] std::optional<bool> closed_from_answer_type(const Example& example);

// True when the row's normalized gold is a yes/no answer (is_polar_answer).
[[nodiscard]] bool gold_is_yes_no(const Example& example);

}  // namespace medvlm
