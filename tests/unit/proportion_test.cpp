#include <gtest/gtest.h>

#include "stats/proportion.hpp"

namespace medvlm {
namespace {

TEST(WilsonInterval, PublishedClaim) {
    // 421/2000, the zero-image MedXpertQA-MM result: about 19.3-22.9 %.
    const Interval interval = wilson_ci(421, 2000);
    EXPECT_NEAR(interval.lower, 0.1932, 0.0005);
    EXPECT_NEAR(interval.upper, 0.2288, 0.0005);
    EXPECT_EQ(interval.method, "wilson");
    EXPECT_DOUBLE_EQ(interval.level, 0.95);
}

TEST(WilsonInterval, Edges) {
    const Interval none = wilson_ci(0, 20);
    EXPECT_DOUBLE_EQ(none.lower, 0.0);
    EXPECT_NEAR(none.upper, 0.1611, 0.0005);
    const Interval empty = wilson_ci(0, 0);
    EXPECT_DOUBLE_EQ(empty.lower, 0.0);
    EXPECT_DOUBLE_EQ(empty.upper, 1.0);
}

TEST(ClopperPearsonInterval, ReferenceValues) {
    // Reference values from the beta quantiles, computed independently of
    // Boost (scipy.stats.beta.ppf): 5/20 -> [0.0866, 0.4910].
    const Interval interval = clopper_pearson_ci(5, 20);
    EXPECT_NEAR(interval.lower, 0.0866, 0.0005);
    EXPECT_NEAR(interval.upper, 0.4910, 0.0005);
    const Interval all = clopper_pearson_ci(10, 10);
    EXPECT_NEAR(all.lower, 0.6915, 0.0005);
    EXPECT_DOUBLE_EQ(all.upper, 1.0);
}

}  // namespace
}  // namespace medvlm
