#include "scoring/short_answer.hpp"

#include <algorithm>
#include <array>
#include <map>

namespace medvlm {
namespace {

bool contains_word(const std::vector<std::string>& tokens, std::initializer_list<const char*> words) {
    return std::any_of(tokens.begin(), tokens.end(), [&](const std::string& token) {
        return std::any_of(words.begin(), words.end(), [&](const char* word) { return token == word; });
    });
}

// Chinese polar words, longest first so that 不是 is read before 是 and
// 不可以 before 可以. SLAKE's Chinese closed answers use all of these except
// 不存在; 可以/不可以 answer "can ... be seen?" questions.
struct ChineseWord {
    std::string_view text;
    Polarity polarity;
};
// Single characters such as 不 and 无 are left out: they open phrases like
// 不知道 ("don't know") and 无法判断 ("cannot tell") that are not answers.
constexpr std::array<ChineseWord, 12> kChineseWords = {{
    {"不包含", Polarity::No},
    {"不存在", Polarity::No},
    {"不可以", Polarity::No},
    {"不是", Polarity::No},
    {"没有", Polarity::No},
    {"是的", Polarity::Yes},
    {"包含", Polarity::Yes},
    {"存在", Polarity::Yes},
    {"可以", Polarity::Yes},
    {"否", Polarity::No},
    {"是", Polarity::Yes},
    {"有", Polarity::Yes},
}};

void scan_chinese(std::string_view text, bool& yes, bool& no) {
    size_t pos = 0;
    while (pos < text.size()) {
        bool matched = false;
        for (const auto& word : kChineseWords) {
            if (text.substr(pos, word.text.size()) == word.text) {
                (word.polarity == Polarity::Yes ? yes : no) = true;
                pos += word.text.size();
                matched = true;
                break;
            }
        }
        if (!matched) {
            ++pos;
        }
    }
}

}  // namespace

std::string polarity_name(Polarity polarity) {
    switch (polarity) {
        case Polarity::None: return "none";
        case Polarity::Yes: return "yes";
        case Polarity::No: return "no";
        case Polarity::Both: return "both";
    }
    return "none";
}

Polarity answer_polarity(std::string_view normalized) {
    const auto tokens = answer_tokens(normalized);
    bool yes = contains_word(tokens, {"yes", "yeah", "yep", "true"});
    bool no = contains_word(tokens, {"no", "not", "none", "nope", "false"});
    scan_chinese(normalized, yes, no);
    if (yes && no) {
        return Polarity::Both;
    }
    if (yes) {
        return Polarity::Yes;
    }
    return no ? Polarity::No : Polarity::None;
}

bool is_polar_answer(std::string_view normalized) {
    if (normalized == "yes" || normalized == "no") {
        return true;
    }
    return std::any_of(kChineseWords.begin(), kChineseWords.end(),
                       [&](const ChineseWord& word) { return word.text == normalized; });
}

std::string closed_source_name(ClosedSource source) {
    return source == ClosedSource::AnswerType ? "answer_type" : "derived_from_gold";
}

ShortAnswerScore score_short_answer(std::string_view prediction, std::string_view gold, std::optional<bool> closed,
                                    const NormalizeOptions& options) {
    ShortAnswerScore score;
    score.normalized_prediction = normalize_answer(prediction, options);
    score.normalized_gold = normalize_answer(gold, options);
    score.yes_no_gold = is_polar_answer(score.normalized_gold);
    score.closed = closed.value_or(score.yes_no_gold);
    score.closed_source = closed.has_value() ? ClosedSource::AnswerType : ClosedSource::DerivedFromGold;
    score.exact_match = !score.normalized_gold.empty() && score.normalized_prediction == score.normalized_gold ? 1 : 0;

    // SQuAD-style token F1: overlap counts repeated tokens at most as often
    // as they occur on both sides.
    const auto predicted = answer_tokens(score.normalized_prediction);
    const auto expected = answer_tokens(score.normalized_gold);
    std::map<std::string, int> remaining;
    for (const auto& token : expected) {
        ++remaining[token];
    }
    int overlap = 0;
    for (const auto& token : predicted) {
        auto it = remaining.find(token);
        if (it != remaining.end() && it->second > 0) {
            --it->second;
            ++overlap;
        }
    }
    if (overlap > 0) {
        const double precision = static_cast<double>(overlap) / static_cast<double>(predicted.size());
        const double recall = static_cast<double>(overlap) / static_cast<double>(expected.size());
        score.token_f1 = 2 * precision * recall / (precision + recall);
        score.token_recall = recall;
    }

    score.prediction_polarity = answer_polarity(score.normalized_prediction);
    if (score.closed) {
        if (score.yes_no_gold) {
            // Both and None never equal a gold polarity, so they are wrong.
            score.closed_correct = score.prediction_polarity == answer_polarity(score.normalized_gold);
        } else {
            score.closed_correct = score.exact_match == 1;
        }
    }
    return score;
}

nlohmann::json short_answer_metric_definitions(const NormalizeOptions& options) {
    return {
        {"version", kShortAnswerMetricsVersion},
        {"normalization",
         std::string("Unicode NFKC; lowercase; ASCII (string.punctuation) and Unicode punctuation to spaces; "
                     "English articles a/an/the dropped (English questions only); ") +
             (options.number_words ? "number words zero..twenty mapped to digits; " : "number words kept as words; ") +
             "whitespace collapsed. Tokens: whitespace-separated words, each CJK character a token. "
             "No stemming or lemmatization ('lungs' is not 'lung')."},
        {"number_words", options.number_words},
        {"languages",
         "A question's language is SLAKE's q_lang, else English. English and Chinese questions are scored and "
         "reported separately; no metric averages them together."},
        {"closed_open",
         "Closed versus open comes from the record's answer_type (CLOSED or OPEN). For a record without "
         "answer_type it is derived: closed exactly when the normalized gold answer is a yes/no answer word; "
         "summary.json counts the rows where it was derived."},
        {"yes_no_gold",
         "The normalized gold answer is exactly one polar word: yes, no, or Chinese 是, 是的, 有, 包含, 存在, 可以 "
         "(yes) and 不是, 否, 没有, 不包含, 不存在, 不可以 (no)."},
        {"exact_match", "1 when the normalized prediction equals the normalized gold answer, else 0."},
        {"token_f1", "SQuAD-style F1 over normalized tokens; repeated tokens count as often as they occur on both sides."},
        {"token_recall",
         "Share of gold tokens found in the prediction (the LLaVA-Med open-question recall convention)."},
        {"closed_accuracy",
         "Closed questions only. Yes/no gold: correct when the prediction's polar words (English yes/yeah/yep/true "
         "vs no/not/none/nope/false as whole tokens; the Chinese words of yes_no_gold, longest match first) have "
         "exactly the gold's polarity; a reply with both polarities or none is wrong ('no polar answer'). Other "
         "closed gold answers (for example 'Lung', 'T2'): exact_match. Wrong and unanswered replies count in the "
         "denominator."},
        {"closed_yes_no_accuracy", "closed_accuracy over closed questions whose gold is a yes/no answer."},
        {"closed_no_polar_answer",
         "Closed questions with a yes/no gold whose reply has no polar word or both polarities; each is wrong."},
        {"closed_other_exact_match", "exact_match over closed questions whose gold is not a yes/no answer."},
        {"open_exact_match", "exact_match over open questions only."},
        {"open_token_f1", "token_f1 over open questions only."},
        {"open_token_recall", "token_recall over open questions only."},
        {"n", "Answered calls; failed calls are counted apart and enter no metric."},
        {"empty_replies", "Answered calls whose normalized reply is empty; every metric scores them 0."},
        {"truncated", "Answered calls whose generation stopped at max_new_tokens."},
    };
}

}  // namespace medvlm
