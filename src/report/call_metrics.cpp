#include "report/call_metrics.hpp"

#include <map>

#include "core/error.hpp"

namespace medvlm {
namespace {

using Key = std::pair<std::string, int>;  // example id, rotation

std::optional<double> stored_metric(const Prediction& p, const char* name) {
    try {
        return p.metrics.at(name).get<double>();
    } catch (const nlohmann::json::exception& e) {
        throw Error("prediction id=" + p.id + " (" + mode_name(p.mode) + "): metric " + name +
                    " is missing or invalid (" + e.what() + "); score the run again with this medvlm version");
    }
}

bool is_closed(const Prediction& p) {
    try {
        return p.metrics.at("closed").get<bool>();
    } catch (const nlohmann::json::exception& e) {
        throw Error("prediction id=" + p.id + " (" + mode_name(p.mode) +
                    "): 'closed' is missing or invalid; score the run again with this medvlm version");
    }
}

std::map<Key, const Prediction*> counting_calls(const std::vector<const Prediction*>& calls, const CallMetric& metric) {
    std::map<Key, const Prediction*> out;
    for (const Prediction* p : calls) {
        if (!p->ok || !metric.value(*p).has_value()) {
            continue;
        }
        if (!out.emplace(Key{p->id, p->rotation}, p).second) {
            throw Error("call " + p->key() + " appears twice among the calls to compare");
        }
    }
    return out;
}

}  // namespace

CallMetric multiple_choice_accuracy() {
    return {"accuracy", true, [](const Prediction& p) -> std::optional<double> { return p.correct ? 1.0 : 0.0; }};
}

std::vector<CallMetric> short_answer_comparison_metrics() {
    return {
        {"exact_match", true, [](const Prediction& p) { return stored_metric(p, "exact_match"); }},
        {"token_f1", false, [](const Prediction& p) { return stored_metric(p, "token_f1"); }},
        {"closed_accuracy", true,
         [](const Prediction& p) -> std::optional<double> {
             if (!is_closed(p)) {
                 return std::nullopt;
             }
             try {
                 return p.metrics.at("closed_correct").get<bool>() ? 1.0 : 0.0;
             } catch (const nlohmann::json::exception&) {
                 throw Error("prediction id=" + p.id + " (" + mode_name(p.mode) +
                             "): 'closed_correct' is missing or invalid; score the run again with this medvlm "
                             "version");
             }
         }},
        {"open_token_recall", false,
         [](const Prediction& p) -> std::optional<double> {
             if (is_closed(p)) {
                 return std::nullopt;
             }
             return stored_metric(p, "token_recall");
         }},
    };
}

PairedSample pair_calls(const std::vector<const Prediction*>& minuend, const std::vector<const Prediction*>& subtrahend,
                        const CallMetric& metric) {
    const auto first = counting_calls(minuend, metric);
    const auto second = counting_calls(subtrahend, metric);
    PairedSample sample;
    sample.binary = metric.binary;
    for (const Prediction* p : minuend) {
        const auto mine = first.find(Key{p->id, p->rotation});
        if (mine == first.end() || mine->second != p) {
            continue;
        }
        const auto partner = second.find(mine->first);
        if (partner == second.end()) {
            sample.unpaired_minuend += 1;
            continue;
        }
        sample.add(*metric.value(*p), *metric.value(*partner->second), p->id);
    }
    for (const auto& [key, p] : second) {
        sample.unpaired_subtrahend += first.contains(key) ? 0 : 1;
    }
    return sample;
}

}  // namespace medvlm
