#include "stats/proportion.hpp"

#include <algorithm>
#include <cmath>

#include <boost/math/distributions/beta.hpp>
#include <boost/math/distributions/normal.hpp>

#include "core/error.hpp"

namespace medvlm {
namespace {

void check_counts(int64_t successes, int64_t trials, double level) {
    if (trials < 0 || successes < 0 || successes > trials) {
        throw Error("invalid proportion " + std::to_string(successes) + "/" + std::to_string(trials));
    }
    if (!(level > 0 && level < 1)) {
        throw Error("confidence level must be between 0 and 1");
    }
}

}  // namespace

nlohmann::json Interval::to_json() const {
    return {{"lower", lower}, {"upper", upper}, {"method", method}, {"level", level}};
}

Interval Interval::from_json(const nlohmann::json& value) {
    try {
        return {value.at("lower").get<double>(), value.at("upper").get<double>(), value.at("method").get<std::string>(),
                value.at("level").get<double>()};
    } catch (const nlohmann::json::exception& e) {
        throw Error(std::string("invalid interval ") + value.dump() + ": " + e.what());
    }
}

Interval wilson_ci(int64_t successes, int64_t trials, double level) {
    check_counts(successes, trials, level);
    Interval interval{0, 1, "wilson", level};
    if (trials == 0) {
        return interval;
    }
    const boost::math::normal standard_normal;
    const double z = boost::math::quantile(standard_normal, 1 - (1 - level) / 2);
    const double n = static_cast<double>(trials);
    const double p = static_cast<double>(successes) / n;
    const double denominator = 1 + z * z / n;
    const double centre = (p + z * z / (2 * n)) / denominator;
    const double half_width = z * std::sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / denominator;
    interval.lower = std::max(0.0, centre - half_width);
    interval.upper = std::min(1.0, centre + half_width);
    return interval;
}

Interval clopper_pearson_ci(int64_t successes, int64_t trials, double level) {
    check_counts(successes, trials, level);
    Interval interval{0, 1, "clopper-pearson", level};
    if (trials == 0) {
        return interval;
    }
    const double alpha = 1 - level;
    const double k = static_cast<double>(successes);
    const double n = static_cast<double>(trials);
    if (successes > 0) {
        interval.lower = boost::math::quantile(boost::math::beta_distribution<double>(k, n - k + 1), alpha / 2);
    }
    if (successes < trials) {
        interval.upper = boost::math::quantile(boost::math::beta_distribution<double>(k + 1, n - k), 1 - alpha / 2);
    }
    return interval;
}

}  // namespace medvlm
