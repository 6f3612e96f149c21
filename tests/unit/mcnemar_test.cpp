// The exact McNemar test on tables worked out by hand. With b pairs right
// only on the first side and c only on the second, p = min(1, 2 P(X <=
// min(b, c))) for X ~ Binomial(b + c, 1/2).

#include <gtest/gtest.h>

#include "core/error.hpp"
#include "stats/mcnemar.hpp"

namespace medvlm {
namespace {

TEST(McNemar, OneAgainstSix) {
    // n = 7: P(X <= 1) = (1 + 7) / 2^7 = 8/128, so p = 16/128 = 0.125.
    const McNemarTest test = mcnemar_exact(1, 6);
    EXPECT_DOUBLE_EQ(test.p_value, 0.125);
    EXPECT_EQ(test.discordant(), 7);
}

TEST(McNemar, TwoAgainstEight) {
    // n = 10: P(X <= 2) = (1 + 10 + 45) / 1024 = 56/1024, so p = 112/1024.
    EXPECT_NEAR(mcnemar_exact(2, 8).p_value, 112.0 / 1024.0, 1e-12);
    // The test is symmetric in its two sides.
    EXPECT_NEAR(mcnemar_exact(8, 2).p_value, 112.0 / 1024.0, 1e-12);
}

TEST(McNemar, AllDiscordantPairsOneWay) {
    // n = 5: P(X <= 0) = 1/32, so p = 2/32.
    EXPECT_NEAR(mcnemar_exact(0, 5).p_value, 0.0625, 1e-12);
}

TEST(McNemar, BalancedTableIsCappedAtOne) {
    // n = 6: P(X <= 3) = (1 + 6 + 15 + 20) / 64 = 42/64; twice that exceeds 1.
    EXPECT_DOUBLE_EQ(mcnemar_exact(3, 3).p_value, 1.0);
}

TEST(McNemar, NoDiscordantPairs) {
    const McNemarTest test = mcnemar_exact(0, 0);
    EXPECT_DOUBLE_EQ(test.p_value, 1.0);
    EXPECT_EQ(test.to_json().at("discordant"), 0);
}

TEST(McNemar, NegativeCountIsRejected) {
    EXPECT_THROW((void)mcnemar_exact(-1, 3), Error);
}

}  // namespace
}  // namespace medvlm
