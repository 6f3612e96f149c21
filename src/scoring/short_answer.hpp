#pragma once
// Short-answer metrics for SLAKE and VQA-RAD, each under one exact name.
// Every metric compares normalize_answer() of the prediction and the gold.

#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "scoring/normalize.hpp"

namespace medvlm {

inline constexpr const char* kShortAnswerMetricsVersion = "short-answer-metrics/1";

enum class Polarity { None, Yes, No, Both };

[[nodiscard]] std::string polarity_name(Polarity polarity);

// The polar words in a normalized reply: English yes/no words matched as
// whole tokens (never substrings, so "normal" and "note" are not "no"), and
// Chinese words found by longest match (不是 before 是). Both kinds present
// gives Both; none gives None.
[[nodiscard]] Polarity answer_polarity(std::string_view normalized);

// True when the normalized gold answer is exactly one polar word.
[[nodiscard]] bool is_polar_answer(std::string_view normalized);

struct ShortAnswerScore {
    std::string normalized_prediction;
    std::string normalized_gold;
    double exact_match = 0;
    double token_f1 = 0;
    double token_recall = 0;
    bool closed = false;
    bool polar_gold = false;           // closed question with a yes/no gold
    Polarity prediction_polarity = Polarity::None;
    bool closed_correct = false;       // meaningful only when closed
};

[[nodiscard]] ShortAnswerScore score_short_answer(std::string_view prediction, std::string_view gold, bool closed,
                                                  const NormalizeOptions& options);

// Names and definitions written into manifests and summaries.
[[nodiscard]] nlohmann::json short_answer_metric_definitions(const NormalizeOptions& options);

}  // namespace medvlm
