// The interpretation rules on hand-made score patterns, decided from the
// intervals that summary.json holds: each mode's accuracy with a Wilson
// interval on 2,000 rows, and paired differences with a given interval.

#include <gtest/gtest.h>

#include <algorithm>

#include "report/interpretation.hpp"
#include "stats/proportion.hpp"

namespace medvlm {
namespace {

const std::vector<std::string> kAllModes = {"text-only", "image+text", "shuffled-image", "options-only",
                                            "image+options-only"};
const std::string kBasis = "decided on 95 % intervals";
constexpr int64_t kRows = 2000;

// A per-mode object as summary.json has it, reduced to what the
// comparisons read.
nlohmann::json mode_result(double accuracy, double constant_letter = 0.212, int64_t n = kRows) {
    const auto correct = static_cast<int64_t>(accuracy * static_cast<double>(n) + 0.5);
    return {{"n", n},
            {"accuracy", accuracy},
            {"ci95", n == 0 ? nlohmann::json(nullptr) : wilson_ci(correct, n).to_json()},
            {"baselines", {{"random", 0.2}, {"best_constant_letter", {{"letter", "E"}, {"accuracy", constant_letter}}}}}};
}

// A paired comparison as summary.json has it: the delta with an interval
// of +-half_width around it.
nlohmann::json paired(double delta, double half_width = 0.02) {
    return {{"pairs", kRows},
            {"delta", delta},
            {"ci95", Interval{delta - half_width, delta + half_width, "paired bootstrap", 0.95}.to_json()}};
}

std::vector<Interpretation> interpret(const std::map<std::string, double>& scores, bool stand_in = false) {
    nlohmann::json results = nlohmann::json::object();
    std::vector<std::string> modes;
    for (const auto& mode : kAllModes) {
        if (scores.contains(mode)) {
            modes.push_back(mode);
            results[mode] = mode_result(scores.at(mode));
        }
    }
    const auto difference = [&](const std::string& other) -> nlohmann::json {
        if (!scores.contains("image+text") || !scores.contains(other)) {
            return nullptr;
        }
        return paired(scores.at("image+text") - scores.at(other));
    };
    const nlohmann::json comparisons = {{"image_gain", difference("text-only")},
                                        {"shuffled_image_gap", difference("shuffled-image")}};
    return interpret_multiple_choice(
        decide_multiple_choice_comparisons(modes, results, comparisons, stand_in, false, kBasis));
}

bool has(const std::vector<Interpretation>& findings, const std::string& subject, const std::string& finding) {
    return std::any_of(findings.begin(), findings.end(), [&](const Interpretation& item) {
        return item.subject == subject && item.finding == finding;
    });
}

bool mentions(const std::vector<Interpretation>& findings, const std::string& finding) {
    return std::any_of(findings.begin(), findings.end(),
                       [&](const Interpretation& item) { return item.finding == finding; });
}

TEST(Interpretation, EveryModeAtChance) {
    // The published failure: 21.05 % with zero images against random 20 %
    // and always-E 21.2 %.
    const auto findings = interpret({{"text-only", 0.2105}, {"image+text", 0.2105}, {"shuffled-image", 0.20},
                                     {"options-only", 0.205}, {"image+options-only", 0.195}});
    EXPECT_TRUE(has(findings, "run", "model is not solving the benchmark"));
    for (const auto& mode : kAllModes) {
        EXPECT_TRUE(has(findings, mode, "within the chance band")) << mode;
        EXPECT_FALSE(has(findings, mode, "above the chance band")) << mode;
    }
    EXPECT_FALSE(mentions(findings, "images likely help"));
    EXPECT_FALSE(mentions(findings, "correct images matter"));
    EXPECT_FALSE(mentions(findings, "answer-choice priors exist"));
}

TEST(Interpretation, ImagesHelpAndCorrectImagesMatter) {
    const auto findings = interpret({{"text-only", 0.30}, {"image+text", 0.40}, {"shuffled-image", 0.31},
                                     {"options-only", 0.27}, {"image+options-only", 0.28}});
    EXPECT_TRUE(has(findings, "image+text", "images likely help"));
    EXPECT_TRUE(has(findings, "shuffled-image", "correct images matter"));
    EXPECT_TRUE(has(findings, "options-only", "answer-choice priors exist"));
    EXPECT_FALSE(mentions(findings, "model is not solving the benchmark"));
    EXPECT_FALSE(mentions(findings, "model may not use image content"));
}

TEST(Interpretation, ShuffledEqualToCorrectImages) {
    const auto findings = interpret({{"text-only", 0.30}, {"image+text", 0.40}, {"shuffled-image", 0.395}});
    EXPECT_TRUE(has(findings, "shuffled-image", "model may not use image content"));
    EXPECT_FALSE(mentions(findings, "correct images matter"));
    EXPECT_TRUE(has(findings, "image+text", "images likely help"));
}

TEST(Interpretation, ShuffledAboveCorrectImages) {
    const auto findings = interpret({{"image+text", 0.35}, {"shuffled-image", 0.40}});
    EXPECT_TRUE(has(findings, "shuffled-image", "model may not use image content"));
    EXPECT_FALSE(mentions(findings, "correct images matter"));
}

TEST(Interpretation, NoImageClaimInsideChanceBand) {
    // image+text is 6 points above text-only but equals always-E.
    const auto findings = interpret({{"text-only", 0.152}, {"image+text", 0.212}, {"shuffled-image", 0.15}});
    EXPECT_FALSE(mentions(findings, "images likely help"));
    EXPECT_FALSE(mentions(findings, "correct images matter"));
    EXPECT_TRUE(has(findings, "image+text", "no claim: image+text within the chance band"));
    EXPECT_TRUE(has(findings, "shuffled-image", "no claim: image+text within the chance band"));
    EXPECT_TRUE(has(findings, "image+text", "within the chance band"));
    EXPECT_TRUE(has(findings, "text-only", "below chance"));
    EXPECT_TRUE(has(findings, "run", "model is not solving the benchmark"));
}

TEST(Interpretation, ScoreNearTheBandIsNotBeyondChance) {
    // 21.5 % of 2,000 has a Wilson interval of about 19.8-23.4 %, which
    // reaches the always-E baseline of 21.2 %.
    const auto near = interpret({{"options-only", 0.215}});
    EXPECT_TRUE(has(near, "options-only", "within the chance band"));
    EXPECT_FALSE(mentions(near, "answer-choice priors exist"));
    // 25 % has an interval of about 23.1-26.9 %, wholly above the band.
    const auto above = interpret({{"options-only", 0.25}});
    EXPECT_TRUE(has(above, "options-only", "answer-choice priors exist"));
}

TEST(Interpretation, ShuffledGapInsideItsIntervalIsNoClearDifference) {
    // A 1.5-point gap whose interval (-0.5 to +3.5 points) contains 0.
    nlohmann::json results = {{"image+text", mode_result(0.40)}, {"shuffled-image", mode_result(0.385)}};
    const nlohmann::json comparisons = {{"image_gain", nullptr}, {"shuffled_image_gap", paired(0.015)}};
    const auto findings = interpret_multiple_choice(decide_multiple_choice_comparisons(
        {"image+text", "shuffled-image"}, results, comparisons, false, false, kBasis));
    EXPECT_TRUE(has(findings, "shuffled-image", "model may not use image content"));
    EXPECT_FALSE(mentions(findings, "correct images matter"));
}

TEST(Interpretation, ImagesNoHigherThanText) {
    const auto equal = interpret({{"text-only", 0.40}, {"image+text", 0.40}});
    EXPECT_TRUE(has(equal, "image+text", "no evidence that images help"));
    const auto lower = interpret({{"text-only", 0.45}, {"image+text", 0.40}});
    EXPECT_TRUE(has(lower, "image+text", "no evidence that images help"));
    EXPECT_FALSE(mentions(lower, "images likely help"));
}

TEST(Interpretation, StandInImagesSupportNoImageClaim) {
    const auto findings = interpret({{"text-only", 0.30}, {"image+text", 0.40}, {"shuffled-image", 0.30}},
                                    /*stand_in=*/true);
    EXPECT_FALSE(mentions(findings, "images likely help"));
    EXPECT_FALSE(mentions(findings, "correct images matter"));
    EXPECT_TRUE(has(findings, "image+text", "no claim: stand-in images"));
    EXPECT_TRUE(has(findings, "shuffled-image", "no claim: stand-in images"));
    EXPECT_TRUE(has(findings, "run", "stand-in images"));
}

TEST(Interpretation, EveryStatementNamesItsBasis) {
    const auto findings = interpret({{"text-only", 0.30}, {"image+text", 0.40}, {"shuffled-image", 0.31},
                                     {"options-only", 0.27}});
    ASSERT_FALSE(findings.empty());
    for (const auto& item : findings) {
        EXPECT_NE(item.statement.find(kBasis), std::string::npos) << item.statement;
    }
}

TEST(Interpretation, StatementsQuoteTheIntervals) {
    const auto findings = interpret({{"text-only", 0.30}, {"image+text", 0.40}});
    const auto gain = std::find_if(findings.begin(), findings.end(),
                                   [](const Interpretation& item) { return item.finding == "images likely help"; });
    ASSERT_NE(gain, findings.end());
    EXPECT_NE(gain->statement.find("difference +10.0 pts (95 % CI +8.0 to +12.0 pts)"), std::string::npos)
        << gain->statement;
    EXPECT_NE(gain->statement.find("image+text (40.0 %, 95 % CI"), std::string::npos) << gain->statement;
}

TEST(Interpretation, RulesTakeDecidedComparisons) {
    // The rules trust the comparisons they are given, whatever the numbers:
    // a 10-point gap whose interval contains 0 is no clear difference.
    InterpretationInput input;
    input.basis = "95 % intervals";
    input.modes = {"image+text", "shuffled-image"};
    input.scores = {{"image+text", 0.40}, {"shuffled-image", 0.30}};
    input.random_baseline = 0.2;
    input.constant_letter_baseline = 0.212;
    input.versus_chance = {{"image+text", Ordering::Higher}, {"shuffled-image", Ordering::Higher}};
    input.image_text_vs_shuffled = DecidedDifference{Ordering::AboutEqual, 0.10, Interval{-0.02, 0.22, "paired bootstrap", 0.95}};
    const auto findings = interpret_multiple_choice(input);
    EXPECT_TRUE(has(findings, "shuffled-image", "model may not use image content"));
    EXPECT_FALSE(mentions(findings, "correct images matter"));
    EXPECT_NE(findings.front().statement.find("95 % intervals"), std::string::npos);
}

TEST(Interpretation, ModeWithoutAnsweredCallsHasNoScore) {
    nlohmann::json results = {{"image+text", mode_result(0.0, 0.0, 0)}, {"text-only", mode_result(0.5)}};
    const nlohmann::json comparisons = {{"image_gain", nullptr}, {"shuffled_image_gap", nullptr}};
    const auto input =
        decide_multiple_choice_comparisons({"image+text", "text-only"}, results, comparisons, false, false, kBasis);
    EXPECT_FALSE(input.scores.contains("image+text"));
    EXPECT_FALSE(input.image_text_vs_text_only.has_value());
    EXPECT_EQ(input.versus_chance.at("text-only"), Ordering::Higher);
}

TEST(DifferenceDecision, FollowsTheIntervalNotTheSign) {
    EXPECT_EQ(decide_difference({0.001, 0.05, "paired bootstrap", 0.95}), Ordering::Higher);
    EXPECT_EQ(decide_difference({-0.05, -0.001, "paired bootstrap", 0.95}), Ordering::Lower);
    // A positive estimate with an interval that contains 0.
    EXPECT_EQ(decide_difference({-0.01, 0.09, "paired bootstrap", 0.95}), Ordering::AboutEqual);
    EXPECT_EQ(decide_difference({0.0, 0.0, "paired bootstrap", 0.95}), Ordering::AboutEqual);
    EXPECT_EQ(difference_meaning(Ordering::AboutEqual), "no clear difference");
    EXPECT_EQ(difference_meaning(Ordering::Higher), "higher");
}

TEST(DifferenceDecision, ChanceBandUsesTheWholeInterval) {
    EXPECT_EQ(decide_versus_band({0.215, 0.25, "wilson", 0.95}, 0.2, 0.212), Ordering::Higher);
    EXPECT_EQ(decide_versus_band({0.205, 0.25, "wilson", 0.95}, 0.2, 0.212), Ordering::AboutEqual);
    EXPECT_EQ(decide_versus_band({0.15, 0.19, "wilson", 0.95}, 0.2, 0.212), Ordering::Lower);
}

}  // namespace
}  // namespace medvlm
