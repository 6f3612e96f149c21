#include "report/short_answer_metrics.hpp"

#include <string>

#include "core/error.hpp"
#include "report/summary_common.hpp"

namespace medvlm {
namespace {

struct Totals {
    int64_t n = 0;
    int64_t failed = 0;
    int64_t truncated = 0;
    int64_t empty = 0;
    int64_t from_answer_type = 0;
    int64_t derived = 0;
    int64_t exact = 0;
    double f1 = 0;
    double recall = 0;
    int64_t closed = 0;
    int64_t closed_correct = 0;
    int64_t yes_no = 0;
    int64_t yes_no_correct = 0;
    int64_t no_polar_answer = 0;
    int64_t closed_other = 0;
    int64_t closed_other_correct = 0;
    int64_t open = 0;
    int64_t open_exact = 0;
    double open_f1 = 0;
    double open_recall = 0;
};

void add_answered(const Prediction& p, Totals& t) {
    const auto& m = p.metrics;
    const bool exact = m.at("exact_match").get<double>() == 1.0;
    const double f1 = m.at("token_f1").get<double>();
    const double recall = m.at("token_recall").get<double>();

    ++t.n;
    t.truncated += p.truncated ? 1 : 0;
    t.empty += p.unknown ? 1 : 0;
    (m.at("closed_source").get<std::string>() == "answer_type" ? t.from_answer_type : t.derived) += 1;
    t.exact += exact ? 1 : 0;
    t.f1 += f1;
    t.recall += recall;

    if (!m.at("closed").get<bool>()) {
        ++t.open;
        t.open_exact += exact ? 1 : 0;
        t.open_f1 += f1;
        t.open_recall += recall;
        return;
    }
    const bool right = m.at("closed_correct").get<bool>();
    ++t.closed;
    t.closed_correct += right ? 1 : 0;
    if (m.at("yes_no_gold").get<bool>()) {
        ++t.yes_no;
        t.yes_no_correct += right ? 1 : 0;
        const std::string polarity = m.at("polarity").get<std::string>();
        t.no_polar_answer += (polarity == "none" || polarity == "both") ? 1 : 0;
    } else {
        ++t.closed_other;
        t.closed_other_correct += right ? 1 : 0;
    }
}

nlohmann::json mean_json(double total, int64_t count) {
    return {{"n", count}, {"value", count == 0 ? 0.0 : total / static_cast<double>(count)}};
}

}  // namespace

nlohmann::json short_answer_metrics(const std::vector<const Prediction*>& calls) {
    Totals t;
    for (const Prediction* p : calls) {
        if (!p->ok) {
            ++t.failed;
            continue;
        }
        try {
            add_answered(*p, t);
        } catch (const nlohmann::json::exception& e) {
            throw Error("prediction id=" + p->id + " (" + mode_name(p->mode) +
                        "): short-answer metrics are missing or invalid (" + e.what() +
                        "); score the run again with this medvlm version");
        }
    }
    return {
        {"n", t.n},
        {"failed", t.failed},
        {"truncated", t.truncated},
        {"empty_replies", t.empty},
        {"closed_open_source", {{"answer_type", t.from_answer_type}, {"derived_from_gold", t.derived}}},
        {"exact_match", proportion_json(t.exact, t.n)},
        {"token_f1", mean_json(t.f1, t.n)},
        {"token_recall", mean_json(t.recall, t.n)},
        {"closed_accuracy", proportion_json(t.closed_correct, t.closed)},
        {"closed_yes_no_accuracy", proportion_json(t.yes_no_correct, t.yes_no)},
        {"closed_no_polar_answer", {{"n", t.yes_no}, {"count", t.no_polar_answer}, {"value", share(t.no_polar_answer, t.yes_no)}}},
        {"closed_other_exact_match", proportion_json(t.closed_other_correct, t.closed_other)},
        {"open_exact_match", proportion_json(t.open_exact, t.open)},
        {"open_token_f1", mean_json(t.open_f1, t.open)},
        {"open_token_recall", mean_json(t.open_recall, t.open)},
    };
}

}  // namespace medvlm
