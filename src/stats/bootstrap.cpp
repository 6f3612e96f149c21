#include "stats/bootstrap.hpp"

#include <algorithm>
#include <cmath>
#include <map>

#include <fmt/format.h>

#include "core/error.hpp"
#include "core/random.hpp"

namespace medvlm {
namespace {

// The observations of one resampling unit, summed.
struct Unit {
    double sum = 0;
    double count = 0;
};

void check_options(const BootstrapOptions& options) {
    if (options.resamples < 1) {
        throw Error("bootstrap: the number of resamples must be at least 1, got " +
                    std::to_string(options.resamples));
    }
    if (!(options.level > 0 && options.level < 1)) {
        throw Error("bootstrap: the confidence level must be between 0 and 1, got " + std::to_string(options.level));
    }
}

// Units in order of first appearance, so the result does not depend on how
// the labels sort.
std::vector<Unit> make_units(const std::vector<double>& values, const std::vector<std::string>& clusters) {
    if (values.empty()) {
        throw Error("bootstrap: no observations to resample");
    }
    if (clusters.empty()) {
        std::vector<Unit> units;
        units.reserve(values.size());
        for (const double value : values) {
            units.push_back({value, 1});
        }
        return units;
    }
    if (clusters.size() != values.size()) {
        throw Error("bootstrap: " + std::to_string(clusters.size()) + " cluster labels for " +
                    std::to_string(values.size()) + " observations; give one label per observation");
    }
    std::map<std::string, size_t> index;
    std::vector<Unit> units;
    for (size_t i = 0; i < values.size(); ++i) {
        const auto [it, inserted] = index.emplace(clusters[i], units.size());
        if (inserted) {
            units.push_back({});
        }
        units[it->second].sum += values[i];
        units[it->second].count += 1;
    }
    return units;
}

BootstrapResult resample(const std::vector<Unit>& units, size_t observations, const std::string& method,
                         const BootstrapOptions& options) {
    check_options(options);
    double total = 0;
    double count = 0;
    for (const Unit& unit : units) {
        total += unit.sum;
        count += unit.count;
    }

    SplitMix64 generator(options.seed);
    const auto unit_count = static_cast<uint64_t>(units.size());
    std::vector<double> statistics(static_cast<size_t>(options.resamples));
    for (double& statistic : statistics) {
        double sum = 0;
        double drawn = 0;
        for (uint64_t i = 0; i < unit_count; ++i) {
            const Unit& unit = units[generator.below(unit_count)];
            sum += unit.sum;
            drawn += unit.count;
        }
        statistic = sum / drawn;
    }
    std::sort(statistics.begin(), statistics.end());

    const double tail = (1 - options.level) / 2;
    BootstrapResult result;
    result.estimate = total / count;
    result.median = quantile_sorted(statistics, 0.5);
    result.interval = {quantile_sorted(statistics, tail), quantile_sorted(statistics, 1 - tail), method,
                       options.level};
    result.observations = observations;
    result.units = units.size();
    result.resamples = options.resamples;
    result.seed = options.seed;
    return result;
}

// "2.5" for 0.025, "97.5" for 0.975, "50" for 0.5.
std::string percentile_key(double share) { return fmt::format("{:g}", 100 * share); }

}  // namespace

nlohmann::json BootstrapResult::interval_json() const {
    nlohmann::json value = interval.to_json();
    value["resamples"] = resamples;
    value["seed"] = seed;
    value["units"] = units;
    value["observations"] = observations;
    return value;
}

nlohmann::json BootstrapResult::to_json() const {
    const double tail = (1 - interval.level) / 2;
    return {{"estimate", estimate},
            {"percentiles",
             {{percentile_key(tail), interval.lower}, {percentile_key(0.5), median}, {percentile_key(1 - tail), interval.upper}}},
            {"ci", interval_json()}};
}

double quantile_sorted(const std::vector<double>& sorted, double p) {
    if (sorted.empty()) {
        throw Error("quantile of an empty sample");
    }
    const double position = std::clamp(p, 0.0, 1.0) * static_cast<double>(sorted.size() - 1);
    const auto below = static_cast<size_t>(std::floor(position));
    const size_t above = std::min(below + 1, sorted.size() - 1);
    const double fraction = position - static_cast<double>(below);
    return sorted[below] + fraction * (sorted[above] - sorted[below]);
}

BootstrapResult bootstrap_mean(const std::vector<double>& values, const std::vector<std::string>& clusters,
                               const BootstrapOptions& options) {
    const std::vector<Unit> units = make_units(values, clusters);
    return resample(units, values.size(), clusters.empty() ? "bootstrap" : "cluster bootstrap", options);
}

BootstrapResult paired_bootstrap(const std::vector<double>& minuend, const std::vector<double>& subtrahend,
                                 const std::vector<std::string>& clusters, const BootstrapOptions& options) {
    if (minuend.size() != subtrahend.size()) {
        throw Error("paired bootstrap: " + std::to_string(minuend.size()) + " and " +
                    std::to_string(subtrahend.size()) + " observations; the two sides must be paired one to one");
    }
    std::vector<double> differences(minuend.size());
    for (size_t i = 0; i < minuend.size(); ++i) {
        differences[i] = minuend[i] - subtrahend[i];
    }
    const std::vector<Unit> units = make_units(differences, clusters);
    return resample(units, differences.size(), clusters.empty() ? "paired bootstrap" : "paired cluster bootstrap",
                    options);
}

}  // namespace medvlm
