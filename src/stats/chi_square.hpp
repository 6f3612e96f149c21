#pragma once
// Pearson's chi-square goodness-of-fit test: do observed counts over k
// categories follow the expected proportions?

#include <cstdint>
#include <vector>

#include <nlohmann/json.hpp>

namespace medvlm {

struct ChiSquareTest {
    double statistic = 0;
    int degrees_of_freedom = 0;
    double p_value = 1;
    std::vector<double> expected;  // expected counts, in category order
    // True when an expected count is below 5, where the chi-square
    // approximation to the exact distribution is known to be poor.
    bool small_expected_counts = false;

    [[nodiscard]] nlohmann::json to_json() const;
};

// `observed` are counts; `proportions` the expected share of each category
// (they are rescaled to sum to 1). Degrees of freedom are k - 1 and the
// p-value is the upper tail of the chi-square distribution (Boost.Math).
// Throws Error when the sizes differ, k < 2, a count is negative or a
// proportion is not positive. With no observations the statistic is 0 and
// the p-value 1.
[[nodiscard]] ChiSquareTest chi_square_goodness_of_fit(const std::vector<int64_t>& observed,
                                                       const std::vector<double>& proportions);

}  // namespace medvlm
