#include "report/summary_multiple_choice.hpp"

#include <algorithm>
#include <map>

#include "report/summary_common.hpp"
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

}  // namespace

nlohmann::json summarize_multiple_choice(const nlohmann::json& manifest, const Dataset& dataset,
                                         const std::vector<Prediction>& predictions) {
    std::map<std::string, std::vector<const Prediction*>> by_mode;
    for (const auto& prediction : predictions) {
        by_mode[mode_name(prediction.mode)].push_back(&prediction);
    }
    size_t option_count = 0;
    std::map<std::string, int64_t> gold_counts;
    for (const auto& example : dataset.examples) {
        option_count = std::max(option_count, example.choices.size());
        gold_counts[example.answer] += 1;
    }

    nlohmann::json modes = nlohmann::json::object();
    for (const auto& mode_value : manifest.at("protocol").at("modes")) {
        const std::string mode = mode_value.get<std::string>();
        modes[mode] = multiple_choice_mode(by_mode[mode], option_count);
    }

    const LetterCount majority = most_common(gold_counts);
    const auto rows = static_cast<int64_t>(dataset.examples.size());
    nlohmann::json baselines = {
        {"random", option_count == 0 ? 0.0 : 1.0 / static_cast<double>(option_count)},
        {"best_constant_letter", {{"letter", majority.letter}, {"accuracy", share(majority.count, rows)}}},
        {"majority_label", {{"letter", majority.letter}, {"share", share(majority.count, rows)}}},
        {"label_counts", gold_counts},
    };
    return {{"modes", modes}, {"baselines", baselines}};
}

}  // namespace medvlm
