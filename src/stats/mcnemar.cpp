#include "stats/mcnemar.hpp"

#include <algorithm>
#include <string>

#include <boost/math/distributions/binomial.hpp>

#include "core/error.hpp"

namespace medvlm {

nlohmann::json McNemarTest::to_json() const {
    return {{"test", "exact McNemar"},
            {"first_only", first_only},
            {"second_only", second_only},
            {"discordant", discordant()},
            {"p_value", p_value}};
}

McNemarTest mcnemar_exact(int64_t first_only, int64_t second_only) {
    if (first_only < 0 || second_only < 0) {
        throw Error("McNemar test: discordant counts must not be negative, got " + std::to_string(first_only) +
                    " and " + std::to_string(second_only));
    }
    McNemarTest test{first_only, second_only, 1.0};
    const int64_t discordant = first_only + second_only;
    if (discordant == 0) {
        return test;
    }
    const boost::math::binomial_distribution<double> fair(static_cast<double>(discordant), 0.5);
    const double tail = boost::math::cdf(fair, static_cast<double>(std::min(first_only, second_only)));
    test.p_value = std::min(1.0, 2 * tail);
    return test;
}

}  // namespace medvlm
