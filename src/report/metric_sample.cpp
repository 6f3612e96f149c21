#include "report/metric_sample.hpp"

#include <numeric>
#include <set>

#include "report/interpretation.hpp"
#include "stats/mcnemar.hpp"
#include "stats/proportion.hpp"

namespace medvlm {
namespace {

constexpr const char* kSingleImage =
    "every observation comes from one image cluster, so resampling images cannot estimate the uncertainty";

double mean_of(const std::vector<double>& values) {
    return values.empty() ? 0.0 : std::accumulate(values.begin(), values.end(), 0.0) / static_cast<double>(values.size());
}

bool ids_distinct(const std::vector<std::string>& ids) {
    return std::set<std::string>(ids.begin(), ids.end()).size() == ids.size();
}

// Resampling one cluster repeats the observed sample, so its interval has
// no width whatever the data.
bool single_cluster(const std::vector<std::string>& clusters) {
    return !clusters.empty() && std::set<std::string>(clusters.begin(), clusters.end()).size() < 2;
}

// Writes "ci95" from a bootstrap of the sample's mean over its clusters,
// or a null "ci95" and "ci95_unavailable" when there is only one cluster.
void add_cluster_bootstrap_interval(const MetricSample& sample, const StatisticsContext& statistics,
                                    nlohmann::json& out) {
    const auto clusters = statistics.clusters_for(sample.ids);
    if (single_cluster(clusters)) {
        out["ci95"] = nullptr;
        out["ci95_unavailable"] = kSingleImage;
        return;
    }
    const BootstrapResult result = bootstrap_mean(sample.values, clusters, statistics.bootstrap());
    nlohmann::json interval = result.interval_json();
    interval["resampling_unit"] = statistics.unit_for(sample.ids);
    out["ci95"] = interval;
}

}  // namespace

nlohmann::json proportion_json(const MetricSample& sample, const StatisticsContext& statistics) {
    const auto n = static_cast<int64_t>(sample.size());
    const auto correct = static_cast<int64_t>(std::accumulate(sample.values.begin(), sample.values.end(), 0.0));
    nlohmann::json out = {{"n", n}, {"correct", correct}, {"value", mean_of(sample.values)}};
    if (n == 0) {
        out["ci95"] = nullptr;
        return out;
    }
    if (!statistics.by_image() && ids_distinct(sample.ids)) {
        out["ci95"] = wilson_ci(correct, n, statistics.level()).to_json();
        return out;
    }
    add_cluster_bootstrap_interval(sample, statistics, out);
    return out;
}

nlohmann::json mean_json(const MetricSample& sample, const StatisticsContext& statistics) {
    nlohmann::json out = {{"n", sample.size()}, {"value", mean_of(sample.values)}};
    if (sample.size() == 0) {
        out["ci95"] = nullptr;
        return out;
    }
    add_cluster_bootstrap_interval(sample, statistics, out);
    return out;
}

nlohmann::json paired_json(const PairedSample& sample, const StatisticsContext& statistics) {
    nlohmann::json out = {
        {"pairs", sample.size()},
        {"unpaired_minuend", sample.unpaired_minuend},
        {"unpaired_subtrahend", sample.unpaired_subtrahend},
        {"minuend_mean", mean_of(sample.minuend)},
        {"subtrahend_mean", mean_of(sample.subtrahend)},
        {"delta", mean_of(sample.minuend) - mean_of(sample.subtrahend)},
        {"percentiles", nullptr},
        {"ci95", nullptr},
        {"resampling_unit", nullptr},
        {"mcnemar", nullptr},
        {"decision", difference_meaning(Ordering::AboutEqual)},
    };
    if (sample.size() == 0) {
        return out;
    }

    if (sample.binary && ids_distinct(sample.ids)) {
        int64_t first_only = 0;
        int64_t second_only = 0;
        for (size_t i = 0; i < sample.size(); ++i) {
            first_only += sample.minuend[i] > sample.subtrahend[i] ? 1 : 0;
            second_only += sample.minuend[i] < sample.subtrahend[i] ? 1 : 0;
        }
        out["mcnemar"] = mcnemar_exact(first_only, second_only).to_json();
    }

    const auto clusters = statistics.clusters_for(sample.ids);
    if (single_cluster(clusters)) {
        out["ci95_unavailable"] = kSingleImage;
        return out;
    }
    const BootstrapResult result = paired_bootstrap(sample.minuend, sample.subtrahend, clusters, statistics.bootstrap());
    const nlohmann::json bootstrap = result.to_json();
    out["percentiles"] = bootstrap.at("percentiles");
    out["ci95"] = result.interval_json();
    out["resampling_unit"] = statistics.unit_for(sample.ids);
    out["decision"] = difference_meaning(decide_difference(result.interval));
    return out;
}

}  // namespace medvlm
