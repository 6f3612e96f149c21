#pragma once
// Percentile bootstrap intervals for a mean and for the mean difference of
// paired observations, resampling single observations or whole clusters.
//
// A cluster is a group of observations that are not independent, such as
// the questions asked about one image (SLAKE's 1,061 English test
// questions share 96 images). Resampling such questions as if they were
// independent gives intervals that are too narrow; resampling whole
// clusters keeps the dependence. The statistic of a resample is the mean
// over all the observations it drew, so clusters of different sizes weigh
// by their size.
//
//   BootstrapOptions options;  // 10,000 resamples, seed 0, 95 %
//   const BootstrapResult gain = paired_bootstrap(image_text, text_only, image_of_question, options);
//   if (gain.interval.contains(0.0)) { /* no clear difference */ }

#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "stats/proportion.hpp"

namespace medvlm {

inline constexpr int kDefaultBootstrapResamples = 10'000;

struct BootstrapOptions {
    int resamples = kDefaultBootstrapResamples;
    uint64_t seed = 0;  // SplitMix64 seed, so a result is identical on every platform
    double level = 0.95;
};

struct BootstrapResult {
    double estimate = 0;  // the statistic on the observed data
    double median = 0;    // 50th percentile of the resampled statistics
    // The (1 - level) / 2 and (1 + level) / 2 percentiles of the resampled
    // statistics, so 2.5 and 97.5 at the default level.
    Interval interval;
    size_t observations = 0;
    size_t units = 0;  // clusters, or observations when nothing is clustered
    int resamples = 0;
    uint64_t seed = 0;

    // {"estimate", "percentiles": {"2.5", "50", "97.5"}, "ci": {"lower",
    // "upper", "method", "level", "resamples", "seed", "units",
    // "observations"}}, with the percentile keys following the level.
    [[nodiscard]] nlohmann::json to_json() const;
    // The "ci" object of to_json(): the interval with its bootstrap settings.
    [[nodiscard]] nlohmann::json interval_json() const;
};

// The p-th quantile (0 <= p <= 1) of sorted values by linear interpolation
// between order statistics (Hyndman and Fan's type 7, the default of R and
// NumPy). Throws Error when `sorted` is empty.
[[nodiscard]] double quantile_sorted(const std::vector<double>& sorted, double p);

// Bootstrap of the mean of `values`. `clusters` is empty (every value is
// resampled alone; method "bootstrap") or holds one label per value
// (values with one label are resampled together; method "cluster
// bootstrap"). Throws Error when `values` is empty, the label count does not
// match, or the options are out of range.
[[nodiscard]] BootstrapResult bootstrap_mean(const std::vector<double>& values,
                                             const std::vector<std::string>& clusters,
                                             const BootstrapOptions& options);

// Bootstrap of mean(minuend[i] - subtrahend[i]) over paired observations,
// such as two runs scored on the same questions: each resample draws pairs
// (or clusters of pairs), never one side alone. Method "paired bootstrap"
// or "paired cluster bootstrap". Throws Error as bootstrap_mean() does and
// when the two sides differ in length.
[[nodiscard]] BootstrapResult paired_bootstrap(const std::vector<double>& minuend,
                                               const std::vector<double>& subtrahend,
                                               const std::vector<std::string>& clusters,
                                               const BootstrapOptions& options);

}  // namespace medvlm
