#include "report/mode_summary_multiple_choice.hpp"

#include <algorithm>
#include <cmath>

#include "core/error.hpp"
#include "core/text.hpp"
#include "prompts/prompt_builder.hpp"
#include "report/summary_common.hpp"
#include "scoring/image_canary.hpp"
#include "stats/chi_square.hpp"
#include "stats/proportion.hpp"

namespace medvlm {
namespace {

constexpr size_t kCanaryReplyBytes = 200;

nlohmann::json accuracy_json(int64_t correct, int64_t n) {
    return {{"n", n}, {"correct", correct}, {"accuracy", share(correct, n)}};
}

std::vector<std::string> option_letters(size_t count) {
    std::vector<std::string> letters;
    for (size_t i = 0; i < count; ++i) {
        letters.emplace_back(1, static_cast<char>('A' + i));
    }
    return letters;
}

struct LetterCount {
    std::string letter;
    int64_t count = 0;
};

// Ties go to the earlier letter.
LetterCount most_common(const std::map<std::string, int64_t>& counts, const std::vector<std::string>& letters) {
    LetterCount best{letters.empty() ? "" : letters.front(), 0};
    for (const auto& letter : letters) {
        const auto it = counts.find(letter);
        if (it != counts.end() && it->second > best.count) {
            best = {letter, it->second};
        }
    }
    return best;
}

const Example& row_of(const Prediction& prediction, const MultipleChoiceContext& context) {
    const auto it = context.rows.find(prediction.id);
    if (it == context.rows.end()) {
        throw Error("prediction for id '" + prediction.id + "' has no row among the evaluated examples");
    }
    return *it->second;
}

// Accuracy, unknowns, truncation and the answer distribution on the
// original option order (rotation 0), the order a single-pass evaluation
// would use.
void add_original_order_results(const std::vector<const Prediction*>& calls, const MultipleChoiceContext& context,
                                nlohmann::json& out) {
    int64_t n = 0;
    int64_t failed = 0;
    int64_t correct = 0;
    int64_t unknown = 0;
    int64_t ambiguous = 0;
    int64_t out_of_range = 0;
    int64_t truncated = 0;
    std::map<std::string, int64_t> answers;
    std::map<std::string, AccuracyCount> by_gold_letter;
    for (const Prediction* p : calls) {
        if (p->rotation != 0) {
            continue;
        }
        if (!p->ok) {
            ++failed;
            continue;
        }
        ++n;
        correct += p->correct ? 1 : 0;
        unknown += p->unknown ? 1 : 0;
        ambiguous += p->ambiguous ? 1 : 0;
        out_of_range += p->extraction_rule == "out_of_range" ? 1 : 0;
        truncated += p->truncated ? 1 : 0;
        answers[p->unknown ? "UNKNOWN" : p->extracted] += 1;
        AccuracyCount& letter = by_gold_letter[p->gold];
        letter.n += 1;
        letter.correct += p->correct ? 1 : 0;
    }

    nlohmann::json per_letter = nlohmann::json::object();
    for (const auto& letter : option_letters(context.option_count)) {
        const AccuracyCount count = by_gold_letter[letter];
        per_letter[letter] = accuracy_json(count.correct, count.n);
    }
    out["n"] = n;
    out["failed"] = failed;
    out["correct"] = correct;
    out["accuracy"] = share(correct, n);
    out["ci95"] = wilson_ci(correct, n).to_json();
    out["unknown"] = unknown;
    out["unknown_rate"] = share(unknown, n);
    out["ambiguous"] = ambiguous;
    out["out_of_range"] = out_of_range;
    out["truncated"] = truncated;
    out["truncation_rate"] = share(truncated, n);
    out["answer_distribution"] = answers;
    out["per_letter_accuracy"] = per_letter;
}

// Share of rows whose chosen option (after mapping back) is the same under
// every rotation. Rows with a failed call are left out; an UNKNOWN under
// any rotation makes a row inconsistent.
nlohmann::json semantic_consistency(const std::vector<const Prediction*>& calls, int rotations) {
    if (rotations < 2) {
        return nullptr;
    }
    std::map<std::string, std::map<int, const Prediction*>> by_row;
    for (const Prediction* p : calls) {
        by_row[p->id][p->rotation] = p;
    }
    int64_t rows = 0;
    int64_t consistent = 0;
    for (const auto& [id, by_rotation] : by_row) {
        bool complete = true;
        for (int rotation = 0; rotation < rotations && complete; ++rotation) {
            const auto it = by_rotation.find(rotation);
            complete = it != by_rotation.end() && it->second->ok;
        }
        if (!complete) {
            continue;
        }
        ++rows;
        const std::string& first = by_rotation.at(0)->extracted;
        bool same = !by_rotation.at(0)->unknown;
        for (int rotation = 1; rotation < rotations && same; ++rotation) {
            const Prediction* p = by_rotation.at(rotation);
            same = !p->unknown && p->extracted == first;
        }
        consistent += same ? 1 : 0;
    }
    return {{"rows", rows}, {"consistent", consistent}, {"value", share(consistent, rows)}};
}

void add_rotation_results(const std::vector<const Prediction*>& calls, const MultipleChoiceContext& context,
                          nlohmann::json& out) {
    nlohmann::json per_rotation = nlohmann::json::array();
    for (int rotation = 0; rotation < context.rotations; ++rotation) {
        const AccuracyCount count = accuracy_at_rotation(calls, rotation);
        nlohmann::json entry = accuracy_json(count.correct, count.n);
        entry["rotation"] = rotation;
        per_rotation.push_back(entry);
    }

    int64_t answered = 0;
    int64_t failed = 0;
    int64_t unknown = 0;
    int64_t truncated = 0;
    std::map<std::string, AccuracyCount> by_position;
    std::map<std::string, int64_t> shown_answers;
    for (const Prediction* p : calls) {
        if (!p->ok) {
            ++failed;
            continue;
        }
        ++answered;
        unknown += p->unknown ? 1 : 0;
        truncated += p->truncated ? 1 : 0;
        shown_answers[p->unknown ? "UNKNOWN" : p->shown_letter] += 1;
        AccuracyCount& position = by_position[gold_shown_letter(row_of(*p, context), p->rotation)];
        position.n += 1;
        position.correct += p->correct ? 1 : 0;
    }
    nlohmann::json by_gold_position = nlohmann::json::object();
    for (const auto& letter : option_letters(context.option_count)) {
        const AccuracyCount count = by_position[letter];
        by_gold_position[letter] = accuracy_json(count.correct, count.n);
    }

    const auto mean = rotation_mean_accuracy(calls, context.rotations);
    out["rotations"] = context.rotations;
    out["rotation_mean_accuracy"] = mean ? nlohmann::json(*mean) : nlohmann::json(nullptr);
    out["per_rotation"] = per_rotation;
    out["semantic_consistency"] = semantic_consistency(calls, context.rotations);
    out["accuracy_by_gold_position"] = by_gold_position;
    out["all_rotations"] = {
        {"calls", answered + failed},
        {"answered", answered},
        {"failed", failed},
        {"unknown_rate", share(unknown, answered)},
        {"truncation_rate", share(truncated, answered)},
        {"shown_letter_distribution", shown_answers},
    };
}

// Pearson chi-square test of the shown letters the model chose (UNKNOWN
// left out) against the shown positions of the gold answers on the same
// calls: a model without letter bias chooses letters as often as the gold
// answers sit there. When some letter never holds the gold answer the
// expected shares are uniform instead, because the test needs every
// expected share positive.
nlohmann::json letter_bias(const std::vector<const Prediction*>& calls, const MultipleChoiceContext& context) {
    const auto letters = option_letters(context.option_count);
    if (letters.size() < 2) {
        return nullptr;
    }
    std::map<std::string, int64_t> chosen;
    std::map<std::string, int64_t> gold_positions;
    int64_t answered = 0;
    for (const Prediction* p : calls) {
        if (!p->ok || p->unknown) {
            continue;
        }
        ++answered;
        chosen[p->shown_letter] += 1;
        gold_positions[gold_shown_letter(row_of(*p, context), p->rotation)] += 1;
    }

    std::vector<int64_t> observed;
    std::vector<double> proportions;
    bool every_position_holds_gold = true;
    for (const auto& letter : letters) {
        observed.push_back(chosen[letter]);
        proportions.push_back(static_cast<double>(gold_positions[letter]));
        every_position_holds_gold = every_position_holds_gold && gold_positions[letter] > 0;
    }
    if (!every_position_holds_gold) {
        std::fill(proportions.begin(), proportions.end(), 1.0);
    }

    const ChiSquareTest test = chi_square_goodness_of_fit(observed, proportions);
    nlohmann::json observed_json = nlohmann::json::object();
    nlohmann::json expected_json = nlohmann::json::object();
    for (size_t i = 0; i < letters.size(); ++i) {
        observed_json[letters[i]] = observed[i];
        expected_json[letters[i]] = test.expected[i];
    }
    return {
        {"test", "pearson chi-square goodness of fit"},
        {"null_hypothesis", every_position_holds_gold ? "chosen letters follow the gold answers' shown positions"
                                                      : "chosen letters are uniform"},
        {"answered", answered},
        {"observed", observed_json},
        {"expected", expected_json},
        {"statistic", test.statistic},
        {"degrees_of_freedom", test.degrees_of_freedom},
        {"p_value", test.p_value},
        {"small_expected_counts", test.small_expected_counts},
    };
}

// Replies to an image mode that say no image arrived; null for modes that
// send no images, where such a reply is expected.
nlohmann::json image_not_received(AblationMode mode, const std::vector<const Prediction*>& calls) {
    if (!mode_sends_images(mode)) {
        return nullptr;
    }
    int64_t answered = 0;
    nlohmann::json replies = nlohmann::json::array();
    for (const Prediction* p : calls) {
        if (!p->ok) {
            continue;
        }
        ++answered;
        const ImageCanaryMatch match = detect_image_not_received(p->raw_output);
        if (match.matched) {
            replies.push_back({{"id", p->id},
                               {"rotation", p->rotation},
                               {"reply", excerpt(p->raw_output, kCanaryReplyBytes)},
                               {"phrase", match.phrase}});
        }
    }
    const auto count = static_cast<int64_t>(replies.size());
    return {{"count", count}, {"answered", answered}, {"rate", share(count, answered)}, {"replies", replies}};
}

// With --scoring choice-logprob: how much probability the option letters
// take, and how confident the model is, per call (every rotation). Null
// when no call logged log-probabilities.
nlohmann::json choice_probabilities(const std::vector<const Prediction*>& calls) {
    int64_t scored = 0;
    double option_mass = 0;
    double gold_probability = 0;
    double top_probability = 0;
    for (const Prediction* p : calls) {
        if (!p->ok || p->choice_logprobs.empty()) {
            continue;
        }
        double max_logprob = -INFINITY;
        for (const auto& [letter, logprob] : p->choice_logprobs) {
            max_logprob = std::max(max_logprob, logprob);
        }
        double scaled_sum = 0;
        for (const auto& [letter, logprob] : p->choice_logprobs) {
            scaled_sum += std::exp(logprob - max_logprob);
        }
        const auto gold = p->choice_logprobs.find(p->gold);
        ++scored;
        option_mass += std::exp(max_logprob) * scaled_sum;
        top_probability += 1.0 / scaled_sum;
        gold_probability += gold == p->choice_logprobs.end() ? 0.0 : std::exp(gold->second - max_logprob) / scaled_sum;
    }
    if (scored == 0) {
        return nullptr;
    }
    const auto n = static_cast<double>(scored);
    return {{"calls", scored},
            {"mean_option_probability_mass", option_mass / n},
            {"mean_gold_probability", gold_probability / n},
            {"mean_top_probability", top_probability / n}};
}

// The three baselines on the rows this mode answered. On the original
// order the best constant letter and the majority label are the same
// number; across rotations they differ, because always answering one
// letter scores the share of calls with the gold answer at that letter,
// while always choosing the majority option scores its share on every
// rotation.
nlohmann::json mode_baselines(const std::vector<const Prediction*>& calls, const MultipleChoiceContext& context) {
    const auto letters = option_letters(context.option_count);
    std::map<std::string, int64_t> gold_letters;
    std::map<std::string, int64_t> gold_positions;
    int64_t original_calls = 0;
    int64_t all_calls = 0;
    for (const Prediction* p : calls) {
        if (!p->ok) {
            continue;
        }
        ++all_calls;
        gold_positions[gold_shown_letter(row_of(*p, context), p->rotation)] += 1;
        if (p->rotation == 0) {
            ++original_calls;
            gold_letters[p->gold] += 1;
        }
    }
    const LetterCount constant = most_common(gold_letters, letters);
    const LetterCount constant_all = most_common(gold_positions, letters);
    return {
        {"random", context.option_count == 0 ? 0.0 : 1.0 / static_cast<double>(context.option_count)},
        {"best_constant_letter",
         {{"letter", constant.letter}, {"accuracy", share(constant.count, original_calls)}, {"n", original_calls}}},
        {"best_constant_letter_all_rotations",
         {{"letter", constant_all.letter}, {"accuracy", share(constant_all.count, all_calls)}, {"n", all_calls}}},
        {"majority_label",
         {{"letter", constant.letter}, {"share", share(constant.count, original_calls)}, {"n", original_calls}}},
    };
}

}  // namespace

AccuracyCount accuracy_at_rotation(const std::vector<const Prediction*>& calls, int rotation) {
    AccuracyCount count;
    for (const Prediction* p : calls) {
        if (p->rotation == rotation && p->ok) {
            count.n += 1;
            count.correct += p->correct ? 1 : 0;
        }
    }
    return count;
}

std::optional<double> rotation_mean_accuracy(const std::vector<const Prediction*>& calls, int rotations) {
    double sum = 0;
    int counted = 0;
    for (int rotation = 0; rotation < rotations; ++rotation) {
        const AccuracyCount count = accuracy_at_rotation(calls, rotation);
        if (count.n > 0) {
            sum += share(count.correct, count.n);
            ++counted;
        }
    }
    if (counted == 0) {
        return std::nullopt;
    }
    return sum / counted;
}

std::string gold_shown_letter(const Example& example, int rotation) {
    const auto order = rotation_order(example.choices.size(), rotation);
    for (size_t i = 0; i < order.size(); ++i) {
        if (example.choices[static_cast<size_t>(order[i])].letter == example.answer) {
            return std::string(1, static_cast<char>('A' + i));
        }
    }
    return "";
}

nlohmann::json summarize_multiple_choice_mode(AblationMode mode, const std::vector<const Prediction*>& calls,
                                              const MultipleChoiceContext& context) {
    nlohmann::json out = nlohmann::json::object();
    add_original_order_results(calls, context, out);
    add_rotation_results(calls, context, out);
    out["letter_bias"] = letter_bias(calls, context);
    out["image_not_received"] = image_not_received(mode, calls);
    out["choice_probabilities"] = choice_probabilities(calls);
    out["baselines"] = mode_baselines(calls, context);
    return out;
}

}  // namespace medvlm
