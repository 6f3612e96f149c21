#include "report/short_answer_metrics.hpp"

#include <string>

#include "core/error.hpp"
#include "report/metric_sample.hpp"
#include "report/summary_common.hpp"

namespace medvlm {
namespace {

struct Samples {
    int64_t failed = 0;
    int64_t truncated = 0;
    int64_t empty = 0;
    int64_t from_answer_type = 0;
    int64_t derived = 0;
    int64_t no_polar_answer = 0;
    MetricSample answered;  // 1 per answered call, for n
    MetricSample exact;
    MetricSample f1;
    MetricSample recall;
    MetricSample closed;
    MetricSample yes_no;
    MetricSample closed_other;
    MetricSample open_exact;
    MetricSample open_f1;
    MetricSample open_recall;
};

void add_answered(const Prediction& p, Samples& s) {
    const auto& m = p.metrics;
    const double exact = m.at("exact_match").get<double>() == 1.0 ? 1.0 : 0.0;
    const double f1 = m.at("token_f1").get<double>();
    const double recall = m.at("token_recall").get<double>();

    s.answered.add(1, p.id);
    s.truncated += p.truncated ? 1 : 0;
    s.empty += p.unknown ? 1 : 0;
    (m.at("closed_source").get<std::string>() == "answer_type" ? s.from_answer_type : s.derived) += 1;
    s.exact.add(exact, p.id);
    s.f1.add(f1, p.id);
    s.recall.add(recall, p.id);

    if (!m.at("closed").get<bool>()) {
        s.open_exact.add(exact, p.id);
        s.open_f1.add(f1, p.id);
        s.open_recall.add(recall, p.id);
        return;
    }
    const double right = m.at("closed_correct").get<bool>() ? 1.0 : 0.0;
    s.closed.add(right, p.id);
    if (m.at("yes_no_gold").get<bool>()) {
        s.yes_no.add(right, p.id);
        const std::string polarity = m.at("polarity").get<std::string>();
        s.no_polar_answer += (polarity == "none" || polarity == "both") ? 1 : 0;
    } else {
        s.closed_other.add(right, p.id);
    }
}

}  // namespace

nlohmann::json short_answer_metrics(const std::vector<const Prediction*>& calls, const StatisticsContext& statistics) {
    Samples s;
    for (const Prediction* p : calls) {
        if (!p->ok) {
            ++s.failed;
            continue;
        }
        try {
            add_answered(*p, s);
        } catch (const nlohmann::json::exception& e) {
            throw Error("prediction id=" + p->id + " (" + mode_name(p->mode) +
                        "): short-answer metrics are missing or invalid (" + e.what() +
                        "); score the run again with this medvlm version");
        }
    }
    const auto yes_no = static_cast<int64_t>(s.yes_no.size());
    return {
        {"n", s.answered.size()},
        {"failed", s.failed},
        {"truncated", s.truncated},
        {"empty_replies", s.empty},
        {"closed_open_source", {{"answer_type", s.from_answer_type}, {"derived_from_gold", s.derived}}},
        {"exact_match", proportion_json(s.exact, statistics)},
        {"token_f1", mean_json(s.f1, statistics)},
        {"token_recall", mean_json(s.recall, statistics)},
        {"closed_accuracy", proportion_json(s.closed, statistics)},
        {"closed_yes_no_accuracy", proportion_json(s.yes_no, statistics)},
        {"closed_no_polar_answer", {{"n", yes_no}, {"count", s.no_polar_answer}, {"value", share(s.no_polar_answer, yes_no)}}},
        {"closed_other_exact_match", proportion_json(s.closed_other, statistics)},
        {"open_exact_match", proportion_json(s.open_exact, statistics)},
        {"open_token_f1", mean_json(s.open_f1, statistics)},
        {"open_token_recall", mean_json(s.open_recall, statistics)},
    };
}

}  // namespace medvlm
