// The bootstrap: exact percentiles, reproducibility for a seed, and the
// coverage of its intervals on simulated data whose true difference is
// known. Coverage is a property of many intervals, so those tests draw
// hundreds of data sets (seeded, so the counts are the same on every run)
// and accept a tolerance around the nominal 95 %.

#include <gtest/gtest.h>

#include <numeric>

#include "core/error.hpp"
#include "core/random.hpp"
#include "stats/bootstrap.hpp"

namespace medvlm {
namespace {

TEST(Quantile, LinearInterpolation) {
    const std::vector<double> sorted = {1, 2, 3, 4};
    EXPECT_DOUBLE_EQ(quantile_sorted(sorted, 0.0), 1.0);
    EXPECT_DOUBLE_EQ(quantile_sorted(sorted, 0.25), 1.75);
    EXPECT_DOUBLE_EQ(quantile_sorted(sorted, 0.5), 2.5);
    EXPECT_DOUBLE_EQ(quantile_sorted(sorted, 1.0), 4.0);
    EXPECT_THROW((void)quantile_sorted({}, 0.5), Error);
}

TEST(PairedBootstrap, EstimateIsTheMeanDifference) {
    const std::vector<double> minuend = {1, 1, 0, 1, 0};
    const std::vector<double> subtrahend = {0, 1, 0, 0, 1};
    const BootstrapResult result = paired_bootstrap(minuend, subtrahend, {}, BootstrapOptions{});
    EXPECT_DOUBLE_EQ(result.estimate, 0.2);
    EXPECT_EQ(result.interval.method, "paired bootstrap");
    EXPECT_DOUBLE_EQ(result.interval.level, 0.95);
    EXPECT_EQ(result.resamples, 10'000);
    EXPECT_EQ(result.units, 5u);
    EXPECT_LE(result.interval.lower, result.median);
    EXPECT_LE(result.median, result.interval.upper);
}

TEST(PairedBootstrap, ReproducibleForASeed) {
    // Continuous scores (such as token_f1), so resampled means almost never
    // tie and two seeds give different percentiles. With right/wrong scores
    // the percentiles fall on a grid of 1/n and two seeds often agree.
    SplitMix64 generator(7);
    std::vector<double> minuend(300);
    std::vector<double> subtrahend(300);
    for (size_t i = 0; i < minuend.size(); ++i) {
        minuend[i] = generator.uniform();
        subtrahend[i] = 0.9 * generator.uniform();
    }
    BootstrapOptions options;
    options.seed = 42;
    const auto first = paired_bootstrap(minuend, subtrahend, {}, options).to_json();
    const auto again = paired_bootstrap(minuend, subtrahend, {}, options).to_json();
    EXPECT_EQ(first, again);

    options.seed = 43;
    const auto other = paired_bootstrap(minuend, subtrahend, {}, options).to_json();
    EXPECT_NE(first.at("percentiles"), other.at("percentiles"));
    EXPECT_EQ(first.at("estimate"), other.at("estimate"));
}

TEST(PairedBootstrap, PercentileKeysFollowTheLevel) {
    const std::vector<double> values = {0, 1, 1, 0, 1, 1};
    const auto result = paired_bootstrap(values, std::vector<double>(6, 0.0), {}, BootstrapOptions{});
    const auto json = result.to_json();
    EXPECT_DOUBLE_EQ(json.at("percentiles").at("2.5").get<double>(), result.interval.lower);
    EXPECT_DOUBLE_EQ(json.at("percentiles").at("50").get<double>(), result.median);
    EXPECT_DOUBLE_EQ(json.at("percentiles").at("97.5").get<double>(), result.interval.upper);
    EXPECT_EQ(json.at("ci").at("method"), "paired bootstrap");
    EXPECT_EQ(json.at("ci").at("resamples"), 10'000);

    BootstrapOptions ninety;
    ninety.level = 0.9;
    const auto narrower = paired_bootstrap(values, std::vector<double>(6, 0.0), {}, ninety).to_json();
    EXPECT_TRUE(narrower.at("percentiles").contains("5"));
    EXPECT_TRUE(narrower.at("percentiles").contains("95"));
}

TEST(PairedBootstrap, IdenticalRunsGiveAZeroInterval) {
    const std::vector<double> values = {1, 0, 0, 1, 1, 0, 0, 0};
    const auto result = paired_bootstrap(values, values, {}, BootstrapOptions{});
    EXPECT_DOUBLE_EQ(result.interval.lower, 0.0);
    EXPECT_DOUBLE_EQ(result.interval.upper, 0.0);
    EXPECT_TRUE(result.interval.contains(0.0));
}

TEST(ClusterBootstrap, ResamplesWholeClusters) {
    // Cluster "a" contains three values with mean 1 and "b" one value 0. A
    // resample draws two clusters: aa (mean 1), ab or ba (3/4), bb (0).
    const std::vector<double> values = {1, 1, 1, 0};
    const std::vector<std::string> clusters = {"a", "a", "a", "b"};
    const BootstrapResult result = bootstrap_mean(values, clusters, BootstrapOptions{});
    EXPECT_DOUBLE_EQ(result.estimate, 0.75);
    EXPECT_EQ(result.units, 2u);
    EXPECT_EQ(result.observations, 4u);
    EXPECT_EQ(result.interval.method, "cluster bootstrap");
    EXPECT_DOUBLE_EQ(result.interval.lower, 0.0);
    EXPECT_DOUBLE_EQ(result.interval.upper, 1.0);
    EXPECT_DOUBLE_EQ(result.median, 0.75);
}

TEST(ClusterBootstrap, PairedMethodName) {
    const auto result = paired_bootstrap({1, 0, 1}, {0, 0, 1}, {"x", "x", "y"}, BootstrapOptions{});
    EXPECT_EQ(result.interval.method, "paired cluster bootstrap");
    EXPECT_EQ(result.units, 2u);
}

TEST(Bootstrap, InvalidInputIsRejected) {
    EXPECT_THROW((void)bootstrap_mean({}, {}, BootstrapOptions{}), Error);
    EXPECT_THROW((void)bootstrap_mean({1, 0}, {"a"}, BootstrapOptions{}), Error);
    EXPECT_THROW((void)paired_bootstrap({1, 0}, {1}, {}, BootstrapOptions{}), Error);
    BootstrapOptions none;
    none.resamples = 0;
    EXPECT_THROW((void)bootstrap_mean({1, 0}, {}, none), Error);
    BootstrapOptions certain;
    certain.level = 1.0;
    EXPECT_THROW((void)bootstrap_mean({1, 0}, {}, certain), Error);
}

// One simulated question answered by two runs: the joint outcome follows
// the given probabilities of (right, wrong) and (wrong, right); the rest
// split evenly between both right and both wrong.
struct Pair {
    double first;
    double second;
};

Pair draw_pair(SplitMix64& generator, double first_only, double second_only) {
    const double u = generator.uniform();
    if (u < first_only) {
        return {1, 0};
    }
    if (u < first_only + second_only) {
        return {0, 1};
    }
    const double both = (1 - first_only - second_only) / 2;
    return u < first_only + second_only + both ? Pair{1, 1} : Pair{0, 0};
}

constexpr int kSimulations = 400;
constexpr int kSimulationResamples = 2'000;

TEST(PairedBootstrap, CoversTheTrueDifference) {
    // True difference first - second = 0.10 - 0.20 = -0.10, 200 questions
    // per data set.
    constexpr double kTrueDifference = -0.10;
    SplitMix64 generator(2024);
    int covered = 0;
    for (int simulation = 0; simulation < kSimulations; ++simulation) {
        std::vector<double> first;
        std::vector<double> second;
        for (int i = 0; i < 200; ++i) {
            const Pair pair = draw_pair(generator, 0.10, 0.20);
            first.push_back(pair.first);
            second.push_back(pair.second);
        }
        BootstrapOptions options;
        options.resamples = kSimulationResamples;
        options.seed = static_cast<uint64_t>(simulation);
        covered += paired_bootstrap(first, second, {}, options).interval.contains(kTrueDifference) ? 1 : 0;
    }
    const double coverage = static_cast<double>(covered) / kSimulations;
    EXPECT_GE(coverage, 0.91);
    EXPECT_LE(coverage, 0.98);
}

TEST(ClusterBootstrap, CoversWhereQuestionsShareImages) {
    // 40 images with 10 questions each. Half the images favour the second
    // run strongly (first-only 0.05, second-only 0.45), half favour the
    // first (first-only 0.25, second-only 0.05): the true difference is
    // (-0.40 + 0.20) / 2 = -0.10, and questions on one image are correlated.
    // Resampling images covers it about as often as it should; resampling
    // questions as if they were independent does not.
    constexpr double kTrueDifference = -0.10;
    SplitMix64 generator(99);
    int covered_by_images = 0;
    int covered_by_questions = 0;
    for (int simulation = 0; simulation < kSimulations; ++simulation) {
        std::vector<double> first;
        std::vector<double> second;
        std::vector<std::string> images;
        for (int image = 0; image < 40; ++image) {
            const bool favours_second = generator.uniform() < 0.5;
            for (int question = 0; question < 10; ++question) {
                const Pair pair = favours_second ? draw_pair(generator, 0.05, 0.45) : draw_pair(generator, 0.25, 0.05);
                first.push_back(pair.first);
                second.push_back(pair.second);
                images.push_back("image" + std::to_string(image));
            }
        }
        BootstrapOptions options;
        options.resamples = kSimulationResamples;
        options.seed = static_cast<uint64_t>(simulation);
        covered_by_images += paired_bootstrap(first, second, images, options).interval.contains(kTrueDifference);
        covered_by_questions += paired_bootstrap(first, second, {}, options).interval.contains(kTrueDifference);
    }
    const double image_coverage = static_cast<double>(covered_by_images) / kSimulations;
    const double question_coverage = static_cast<double>(covered_by_questions) / kSimulations;
    EXPECT_GE(image_coverage, 0.89);
    EXPECT_LE(image_coverage, 0.98);
    EXPECT_LT(question_coverage, image_coverage - 0.10);
}

}  // namespace
}  // namespace medvlm
