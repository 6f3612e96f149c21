#include "stats/chi_square.hpp"

#include <cmath>
#include <numeric>

#include <boost/math/distributions/chi_squared.hpp>

#include "core/error.hpp"

namespace medvlm {

nlohmann::json ChiSquareTest::to_json() const {
    return {{"statistic", statistic},
            {"degrees_of_freedom", degrees_of_freedom},
            {"p_value", p_value},
            {"expected", expected},
            {"small_expected_counts", small_expected_counts}};
}

ChiSquareTest chi_square_goodness_of_fit(const std::vector<int64_t>& observed, const std::vector<double>& proportions) {
    if (observed.size() != proportions.size() || observed.size() < 2) {
        throw Error("chi-square goodness of fit needs at least two categories and one proportion per category; got " +
                    std::to_string(observed.size()) + " counts and " + std::to_string(proportions.size()) +
                    " proportions");
    }
    double proportion_sum = 0;
    int64_t total = 0;
    for (size_t i = 0; i < observed.size(); ++i) {
        if (observed[i] < 0) {
            throw Error("chi-square goodness of fit: count " + std::to_string(observed[i]) + " is negative");
        }
        if (!(proportions[i] > 0) || !std::isfinite(proportions[i])) {
            throw Error("chi-square goodness of fit: expected proportion " + std::to_string(proportions[i]) +
                        " must be positive and finite");
        }
        proportion_sum += proportions[i];
        total += observed[i];
    }

    ChiSquareTest test;
    test.degrees_of_freedom = static_cast<int>(observed.size()) - 1;
    for (size_t i = 0; i < observed.size(); ++i) {
        const double expected = static_cast<double>(total) * proportions[i] / proportion_sum;
        test.expected.push_back(expected);
        test.small_expected_counts = test.small_expected_counts || expected < 5;
        if (expected > 0) {
            const double difference = static_cast<double>(observed[i]) - expected;
            test.statistic += difference * difference / expected;
        }
    }
    if (total > 0) {
        const boost::math::chi_squared distribution(test.degrees_of_freedom);
        test.p_value = boost::math::cdf(boost::math::complement(distribution, test.statistic));
    }
    return test;
}

}  // namespace medvlm
