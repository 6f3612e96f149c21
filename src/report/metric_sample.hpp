#pragma once
// The observations of one metric over a group of calls, and their
// summary.json blocks with intervals. Each observation keeps the example
// it came from, so the interval can resample questions or images (see
// report/statistics_context.hpp).

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "report/statistics_context.hpp"

namespace medvlm {

struct MetricSample {
    std::vector<double> values;
    std::vector<std::string> ids;  // example id of each value

    void add(double value, const std::string& id) {
        values.push_back(value);
        ids.push_back(id);
    }
    [[nodiscard]] size_t size() const { return values.size(); }
};

// Paired observations: the same question (and rotation) under two runs or
// two modes. Each pair contributes minuend - subtrahend.
struct PairedSample {
    std::vector<double> minuend;
    std::vector<double> subtrahend;
    std::vector<std::string> ids;
    bool binary = true;  // right/wrong values, so the McNemar test applies
    // Calls of either side left out because the other side has no answered
    // call for the same question and rotation.
    int64_t unpaired_minuend = 0;
    int64_t unpaired_subtrahend = 0;

    void add(double first, double second, const std::string& id) {
        minuend.push_back(first);
        subtrahend.push_back(second);
        ids.push_back(id);
    }
    [[nodiscard]] size_t size() const { return ids.size(); }
};

// {"n", "correct", "value", "ci95"} for 0/1 values. ci95 is the Wilson
// interval when questions are resampled alone and each appears once, and a
// (cluster) bootstrap interval otherwise; it is null when n is 0 or when a
// cluster bootstrap would resample a single image, which cannot show any
// uncertainty ("ci95_unavailable" then says why).
[[nodiscard]] nlohmann::json proportion_json(const MetricSample& sample, const StatisticsContext& statistics);

// {"n", "value", "ci95"} for a mean such as token_f1, with a (cluster)
// bootstrap interval; null as for proportion_json().
[[nodiscard]] nlohmann::json mean_json(const MetricSample& sample, const StatisticsContext& statistics);

// {"pairs", "unpaired_minuend", "unpaired_subtrahend", "minuend_mean",
// "subtrahend_mean", "delta", "percentiles", "ci95", "resampling_unit",
// "mcnemar", "decision"}: the paired (cluster) bootstrap of the mean
// difference and, for binary values with one pair per question, the exact
// McNemar test (else null). "decision" is decide_difference() of the
// interval, as its difference_meaning(): "higher", "lower" or "no clear
// difference"; without an interval it is "no clear difference".
[[nodiscard]] nlohmann::json paired_json(const PairedSample& sample, const StatisticsContext& statistics);

}  // namespace medvlm
