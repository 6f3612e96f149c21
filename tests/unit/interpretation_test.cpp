// The interpretation rules on hand-made score patterns, and the point
// estimate comparisons built from summary.json's per-mode objects.

#include <gtest/gtest.h>

#include <algorithm>

#include "report/interpretation.hpp"

namespace medvlm {
namespace {

const std::vector<std::string> kAllModes = {"text-only", "image+text", "shuffled-image", "options-only",
                                            "image+options-only"};

// A per-mode object as summary.json has it, reduced to what the
// comparisons read.
nlohmann::json mode_result(double accuracy, double constant_letter = 0.212, int64_t n = 2000) {
    return {{"n", n},
            {"accuracy", accuracy},
            {"baselines", {{"random", 0.2}, {"best_constant_letter", {{"letter", "E"}, {"accuracy", constant_letter}}}}}};
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
    return interpret_multiple_choice(compare_point_estimates(modes, results, stand_in, false));
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
    // Within the 1-point tolerance of the constant-letter baseline.
    const auto near = interpret({{"options-only", 0.215}});
    EXPECT_TRUE(has(near, "options-only", "within the chance band"));
    EXPECT_FALSE(mentions(near, "answer-choice priors exist"));
    const auto above = interpret({{"options-only", 0.25}});
    EXPECT_TRUE(has(above, "options-only", "answer-choice priors exist"));
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
        EXPECT_NE(item.statement.find(kPointEstimateBasis), std::string::npos) << item.statement;
    }
}

TEST(Interpretation, RulesTakeDecidedComparisons) {
    // The rules trust the comparisons they are given, whatever the numbers:
    // an interval-based builder can decide "about equal" for a 10-point gap.
    InterpretationInput input;
    input.basis = "95 % intervals";
    input.modes = {"image+text", "shuffled-image"};
    input.scores = {{"image+text", 0.40}, {"shuffled-image", 0.30}};
    input.random_baseline = 0.2;
    input.constant_letter_baseline = 0.212;
    input.versus_chance = {{"image+text", Ordering::Higher}, {"shuffled-image", Ordering::Higher}};
    input.image_text_vs_shuffled = Ordering::AboutEqual;
    const auto findings = interpret_multiple_choice(input);
    EXPECT_TRUE(has(findings, "shuffled-image", "model may not use image content"));
    EXPECT_FALSE(mentions(findings, "correct images matter"));
    EXPECT_NE(findings.front().statement.find("95 % intervals"), std::string::npos);
}

TEST(Interpretation, ModeWithoutAnsweredCallsHasNoScore) {
    nlohmann::json results = {{"image+text", mode_result(0.0, 0.0, 0)}, {"text-only", mode_result(0.5)}};
    const auto input = compare_point_estimates({"image+text", "text-only"}, results, false, false);
    EXPECT_FALSE(input.scores.contains("image+text"));
    EXPECT_FALSE(input.image_text_vs_text_only.has_value());
    EXPECT_EQ(input.versus_chance.at("text-only"), Ordering::Higher);
}

}  // namespace
}  // namespace medvlm
