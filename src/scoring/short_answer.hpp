#pragma once
// Short-answer metrics for SLAKE and VQA-RAD, each under one exact name.
// Every metric compares normalize_answer() of the prediction and the gold.

#include <optional>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "scoring/normalize.hpp"

namespace medvlm {

inline constexpr const char* kShortAnswerMetricsVersion = "short-answer-metrics/2";

enum class Polarity { None, Yes, No, Both };

[[nodiscard]] std::string polarity_name(Polarity polarity);

// The polar words in a normalized reply: English yes/no words matched as
// whole tokens (never substrings, so "normal" and "note" are not "no"), and
// Chinese words found by longest match (不是 before 是). Both kinds present
// gives Both; none gives None.
[[nodiscard]] Polarity answer_polarity(std::string_view normalized);

// True when the normalized gold answer is exactly one yes/no answer word:
// "yes" or "no", or one of the Chinese polar words (是, 是的, 不是, 否, 有,
// 没有, 包含, 不包含, 存在, 不存在, 可以, 不可以).
[[nodiscard]] bool is_polar_answer(std::string_view normalized);

// The source of a question's closed/open type.
enum class ClosedSource { AnswerType, DerivedFromGold };

[[nodiscard]] std::string closed_source_name(ClosedSource source);

struct ShortAnswerScore {
    std::string normalized_prediction;
    std::string normalized_gold;
    double exact_match = 0;
    double token_f1 = 0;
    double token_recall = 0;
    bool closed = false;
    ClosedSource closed_source = ClosedSource::AnswerType;
    bool yes_no_gold = false;  // the gold is one polar word, whatever the question type
    Polarity prediction_polarity = Polarity::None;
    // Closed questions only: the polarity rule for a yes/no gold, exact
    // match otherwise. Always false for open questions.
    bool closed_correct = false;
};

// Scores one reply. `closed` comes from the record's answer_type. Without
// one (std::nullopt), the question is closed exactly when its gold is a
// yes/no answer, and the score records that the type was derived.
[[nodiscard]] ShortAnswerScore score_short_answer(std::string_view prediction, std::string_view gold,
                                                  std::optional<bool> closed, const NormalizeOptions& options);

// Names and definitions written into manifests and summaries.
[[nodiscard]] nlohmann::json short_answer_metric_definitions(const NormalizeOptions& options);

}  // namespace medvlm
