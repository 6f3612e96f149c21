#include "report/summary.hpp"

#include <algorithm>
#include <map>

#include "stats/proportion.hpp"

namespace medvlm {
namespace {

struct LetterCount {
    std::string letter;
    int64_t count = 0;
};

LetterCount most_common(const std::map<std::string, int64_t>& counts) {
    LetterCount best;
    for (const auto& [letter, count] : counts) {
        if (count > best.count) {
            best = {letter, count};
        }
    }
    return best;
}

double share(int64_t part, int64_t whole) { return whole == 0 ? 0.0 : static_cast<double>(part) / static_cast<double>(whole); }

nlohmann::json proportion_json(int64_t successes, int64_t trials) {
    return {{"n", trials},
            {"correct", successes},
            {"value", share(successes, trials)},
            {"ci95", wilson_ci(successes, trials).to_json()}};
}

// Multiple-choice results of one mode, on the original option order
// (rotation 0).
nlohmann::json multiple_choice_mode(const std::vector<const Prediction*>& calls, size_t option_count) {
    int64_t n = 0;
    int64_t correct = 0;
    int64_t unknown = 0;
    int64_t failed = 0;
    int64_t truncated = 0;
    std::map<std::string, int64_t> answers;
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
        truncated += p->truncated ? 1 : 0;
        answers[p->unknown ? "UNKNOWN" : p->extracted] += 1;
    }
    const auto interval = wilson_ci(correct, n);
    return {
        {"n", n},
        {"failed", failed},
        {"correct", correct},
        {"accuracy", share(correct, n)},
        {"ci95", interval.to_json()},
        {"unknown", unknown},
        {"unknown_rate", share(unknown, n)},
        {"truncated", truncated},
        {"truncation_rate", share(truncated, n)},
        {"answer_distribution", answers},
        {"random_baseline", option_count == 0 ? 0.0 : 1.0 / static_cast<double>(option_count)},
    };
}

nlohmann::json short_answer_mode(const std::vector<const Prediction*>& calls) {
    int64_t n = 0;
    int64_t failed = 0;
    int64_t truncated = 0;
    int64_t empty = 0;
    double exact = 0;
    double f1 = 0;
    double recall = 0;
    int64_t closed = 0;
    int64_t closed_correct = 0;
    int64_t polar = 0;
    int64_t polar_correct = 0;
    int64_t no_polar_answer = 0;
    int64_t closed_other = 0;
    int64_t closed_other_correct = 0;
    int64_t open = 0;
    double open_exact = 0;
    double open_f1 = 0;
    double open_recall = 0;
    for (const Prediction* p : calls) {
        if (!p->ok) {
            ++failed;
            continue;
        }
        ++n;
        truncated += p->truncated ? 1 : 0;
        empty += p->unknown ? 1 : 0;
        const auto& m = p->metrics;
        exact += m.at("exact_match").get<double>();
        f1 += m.at("token_f1").get<double>();
        recall += m.at("token_recall").get<double>();
        if (m.at("closed").get<bool>()) {
            ++closed;
            const bool right = m.at("closed_correct").get<bool>();
            closed_correct += right ? 1 : 0;
            if (m.at("polar_gold").get<bool>()) {
                ++polar;
                polar_correct += right ? 1 : 0;
                const std::string polarity = m.at("polarity").get<std::string>();
                no_polar_answer += (polarity == "none" || polarity == "both") ? 1 : 0;
            } else {
                ++closed_other;
                closed_other_correct += right ? 1 : 0;
            }
        } else {
            ++open;
            open_exact += m.at("exact_match").get<double>();
            open_f1 += m.at("token_f1").get<double>();
            open_recall += m.at("token_recall").get<double>();
        }
    }
    const auto mean = [](double total, int64_t count) { return count == 0 ? 0.0 : total / static_cast<double>(count); };
    return {
        {"n", n},
        {"failed", failed},
        {"truncated", truncated},
        {"empty_replies", empty},
        {"exact_match", proportion_json(static_cast<int64_t>(exact), n)},
        {"token_f1", {{"n", n}, {"value", mean(f1, n)}}},
        {"token_recall", {{"n", n}, {"value", mean(recall, n)}}},
        {"closed_accuracy", proportion_json(closed_correct, closed)},
        {"closed_yes_no_accuracy", proportion_json(polar_correct, polar)},
        {"closed_yes_no_no_polar_answer", no_polar_answer},
        {"closed_other_exact_match", proportion_json(closed_other_correct, closed_other)},
        {"open_exact_match", proportion_json(static_cast<int64_t>(open_exact), open)},
        {"open_token_f1", {{"n", open}, {"value", mean(open_f1, open)}}},
        {"open_token_recall", {{"n", open}, {"value", mean(open_recall, open)}}},
    };
}

// A multimodal mode whose calls encoded no image tokens did not test the
// images at all; such a run is marked invalid.
void check_images_reached_model(const std::string& mode, const std::vector<const Prediction*>& calls,
                                nlohmann::json& reasons) {
    int64_t answered = 0;
    int64_t without_images = 0;
    for (const Prediction* p : calls) {
        if (!p->ok) {
            continue;
        }
        ++answered;
        without_images += p->image_tokens == 0 ? 1 : 0;
    }
    if (answered > 0 && without_images == answered) {
        reasons.push_back(mode + ": none of the " + std::to_string(answered) +
                          " answered calls encoded any image tokens; the images never reached the model");
    } else if (without_images > 0) {
        reasons.push_back(mode + ": " + std::to_string(without_images) + " of " + std::to_string(answered) +
                          " answered calls encoded no image tokens");
    }
}

}  // namespace

nlohmann::json build_summary(const nlohmann::json& manifest, const Dataset& dataset,
                             const std::vector<Prediction>& predictions) {
    const bool multiple_choice = manifest.at("task") == "multiple-choice";
    std::map<std::string, std::vector<const Prediction*>> by_mode;
    for (const auto& prediction : predictions) {
        by_mode[mode_name(prediction.mode)].push_back(&prediction);
    }

    nlohmann::json summary;
    summary["telemetry"] = dataset.telemetry.to_json();
    summary["test_model"] = manifest.at("engine").value("test_model", false);

    nlohmann::json invalid_reasons = nlohmann::json::array();
    nlohmann::json modes = nlohmann::json::object();
    size_t option_count = 0;
    std::map<std::string, int64_t> gold_counts;
    for (const auto& example : dataset.examples) {
        option_count = std::max(option_count, example.choices.size());
        gold_counts[example.answer] += 1;
    }

    for (const auto& mode_value : manifest.at("protocol").at("modes")) {
        const std::string mode = mode_value.get<std::string>();
        const auto& calls = by_mode[mode];
        modes[mode] = multiple_choice ? multiple_choice_mode(calls, option_count) : short_answer_mode(calls);
        if (mode_sends_images(parse_mode(mode))) {
            check_images_reached_model(mode, calls, invalid_reasons);
        }
    }
    summary["modes"] = modes;

    if (multiple_choice) {
        const LetterCount majority = most_common(gold_counts);
        const auto rows = static_cast<int64_t>(dataset.examples.size());
        summary["baselines"] = {
            {"random", option_count == 0 ? 0.0 : 1.0 / static_cast<double>(option_count)},
            {"best_constant_letter", {{"letter", majority.letter}, {"accuracy", share(majority.count, rows)}}},
            {"majority_label", {{"letter", majority.letter}, {"share", share(majority.count, rows)}}},
            {"label_counts", gold_counts},
        };
    }

    summary["valid"] = invalid_reasons.empty();
    summary["invalid_reasons"] = invalid_reasons;
    return summary;
}

}  // namespace medvlm
