#include "report/summary_short_answer.hpp"

#include <map>

#include "report/summary_common.hpp"

namespace medvlm {
namespace {

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

}  // namespace

nlohmann::json summarize_short_answer(const nlohmann::json& manifest, const Dataset& /*dataset*/,
                                      const std::vector<Prediction>& predictions) {
    std::map<std::string, std::vector<const Prediction*>> by_mode;
    for (const auto& prediction : predictions) {
        by_mode[mode_name(prediction.mode)].push_back(&prediction);
    }
    nlohmann::json modes = nlohmann::json::object();
    for (const auto& mode_value : manifest.at("protocol").at("modes")) {
        const std::string mode = mode_value.get<std::string>();
        modes[mode] = short_answer_mode(by_mode[mode]);
    }
    return {{"modes", modes}};
}

}  // namespace medvlm
