#include <gtest/gtest.h>

#include "core/error.hpp"
#include "stats/proportion.hpp"

namespace medvlm {
namespace {

TEST(WilsonInterval, PublishedClaim) {
    // 421/2000, the zero-image MedXpertQA-MM result: about 19.3-22.9 %.
    // Closed form with z = 1.959963984540054: [0.193197, 0.228913].
    const Interval interval = wilson_ci(421, 2000);
    EXPECT_NEAR(interval.lower, 0.193197, 1e-6);
    EXPECT_NEAR(interval.upper, 0.228913, 1e-6);
    EXPECT_EQ(interval.method, "wilson");
    EXPECT_DOUBLE_EQ(interval.level, 0.95);
}

TEST(WilsonInterval, Edges) {
    const Interval none = wilson_ci(0, 20);
    EXPECT_DOUBLE_EQ(none.lower, 0.0);
    EXPECT_NEAR(none.upper, 0.161125, 1e-6);
    const Interval empty = wilson_ci(0, 0);
    EXPECT_DOUBLE_EQ(empty.lower, 0.0);
    EXPECT_DOUBLE_EQ(empty.upper, 1.0);
}

// Reference bounds computed without Boost: each bound solves its binomial
// tail equation, P(X >= k; n, p) = 0.025 for the lower and
// P(X <= k; n, p) = 0.025 for the upper, by 200 bisection steps over exact
// binomial sums in 50-digit decimal arithmetic (Python's decimal module).
struct ClopperPearsonCase {
    int64_t successes;
    int64_t trials;
    double lower;
    double upper;
};

TEST(ClopperPearsonInterval, ReferenceValues) {
    const ClopperPearsonCase cases[] = {
        {5, 20, 0.0865714691, 0.4910458717},    {10, 10, 0.6915028922, 1.0},
        {0, 10, 0.0, 0.3084971078},             {421, 2000, 0.1928182877, 0.2290344367},
        {1, 50, 0.0005062280, 0.1064695457},    {37, 100, 0.2755665796, 0.4723516406},
    };
    for (const auto& c : cases) {
        const Interval interval = clopper_pearson_ci(c.successes, c.trials);
        EXPECT_NEAR(interval.lower, c.lower, 1e-8) << c.successes << "/" << c.trials;
        EXPECT_NEAR(interval.upper, c.upper, 1e-8) << c.successes << "/" << c.trials;
        EXPECT_EQ(interval.method, "clopper-pearson");
    }
}

TEST(ClopperPearsonInterval, WiderThanWilson) {
    // The exact interval is conservative: it contains Wilson's here.
    const Interval exact = clopper_pearson_ci(421, 2000);
    const Interval wilson = wilson_ci(421, 2000);
    EXPECT_LT(exact.lower, wilson.lower);
    EXPECT_GT(exact.upper, wilson.upper);
}

TEST(ProportionInterval, InvalidCountsAreRejected) {
    EXPECT_THROW((void)wilson_ci(3, 2), Error);
    EXPECT_THROW((void)clopper_pearson_ci(-1, 2), Error);
    EXPECT_THROW((void)wilson_ci(1, 2, 1.0), Error);
}

}  // namespace
}  // namespace medvlm
