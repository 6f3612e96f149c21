// Pearson's chi-square goodness of fit against closed forms: the upper
// tail of chi-square with 2 degrees of freedom is exp(-x/2), with 4 it is
// exp(-x/2) (1 + x/2).

#include <gtest/gtest.h>

#include <cmath>

#include "core/error.hpp"
#include "stats/chi_square.hpp"

namespace medvlm {
namespace {

TEST(ChiSquare, UniformCountsHaveNoEvidence) {
    const ChiSquareTest test = chi_square_goodness_of_fit({10, 10, 10, 10, 10}, {1, 1, 1, 1, 1});
    EXPECT_DOUBLE_EQ(test.statistic, 0.0);
    EXPECT_EQ(test.degrees_of_freedom, 4);
    EXPECT_DOUBLE_EQ(test.p_value, 1.0);
    EXPECT_FALSE(test.small_expected_counts);
}

TEST(ChiSquare, FourDegreesOfFreedom) {
    // Expected 10 each: (10^2 + 0 + 0 + 0 + 10^2) / 10 = 20.
    const ChiSquareTest test = chi_square_goodness_of_fit({20, 10, 10, 10, 0}, {1, 1, 1, 1, 1});
    EXPECT_DOUBLE_EQ(test.statistic, 20.0);
    EXPECT_NEAR(test.p_value, std::exp(-10.0) * 11.0, 1e-12);
}

TEST(ChiSquare, TwoDegreesOfFreedom) {
    const ChiSquareTest test = chi_square_goodness_of_fit({15, 5, 10}, {1, 1, 1});
    EXPECT_DOUBLE_EQ(test.statistic, 5.0);
    EXPECT_EQ(test.degrees_of_freedom, 2);
    EXPECT_NEAR(test.p_value, std::exp(-2.5), 1e-12);
}

TEST(ChiSquare, ProportionsAreRescaled) {
    // Proportions 3:1 of 40 observations expect 30 and 10.
    const ChiSquareTest test = chi_square_goodness_of_fit({30, 10}, {3, 1});
    ASSERT_EQ(test.expected.size(), 2u);
    EXPECT_DOUBLE_EQ(test.expected[0], 30.0);
    EXPECT_DOUBLE_EQ(test.expected[1], 10.0);
    EXPECT_DOUBLE_EQ(test.statistic, 0.0);
    const ChiSquareTest shifted = chi_square_goodness_of_fit({20, 20}, {0.75, 0.25});
    EXPECT_NEAR(shifted.statistic, 100.0 / 30.0 + 100.0 / 10.0, 1e-12);
}

TEST(ChiSquare, SmallExpectedCountsAreFlagged) {
    EXPECT_TRUE(chi_square_goodness_of_fit({3, 2, 4}, {1, 1, 1}).small_expected_counts);
}

TEST(ChiSquare, NoObservations) {
    const ChiSquareTest test = chi_square_goodness_of_fit({0, 0, 0}, {1, 1, 1});
    EXPECT_DOUBLE_EQ(test.statistic, 0.0);
    EXPECT_DOUBLE_EQ(test.p_value, 1.0);
}

TEST(ChiSquare, InvalidInputIsRejected) {
    EXPECT_THROW((void)chi_square_goodness_of_fit({1, 2}, {1, 1, 1}), Error);
    EXPECT_THROW((void)chi_square_goodness_of_fit({1}, {1}), Error);
    EXPECT_THROW((void)chi_square_goodness_of_fit({1, -1}, {1, 1}), Error);
    EXPECT_THROW((void)chi_square_goodness_of_fit({1, 1}, {1, 0}), Error);
}

}  // namespace
}  // namespace medvlm
