// Mapping a rotated answer back to the record's own option letter, for
// generated replies and for choice log-probabilities, on real
// MedXpertQA-MM records.

#include <gtest/gtest.h>

#include "core/files.hpp"
#include "data/loaders.hpp"
#include "prompts/prompt_builder.hpp"
#include "run/scorer.hpp"
#include "support/test_support.hpp"

namespace medvlm {
namespace {

std::vector<Example> real_medxpertqa() {
    const auto file = testing::shared_data_dir() / "medxpertqa_mm/MM_test.sample.jsonl";
    return parse_medxpertqa_mm(file.string(), read_file(file), ParseOptions{}).examples;
}

struct ScoredCall {
    BuiltPrompt prompt;
    EngineRequest request;
    Prediction prediction;
};

ScoredCall score(const Example& example, int rotation, const EngineResult& result, Scoring scoring) {
    ScoredCall call;
    call.prompt = build_prompt(example, AblationMode::TextOnly, rotation, PromptTexts::defaults(),
                               scoring == Scoring::ChoiceLogprob);
    call.request.scoring = scoring;
    call.request.choice_letters = call.prompt.letters;
    const CallContext context{&example, AblationMode::TextOnly, rotation, &call.prompt, nullptr, &call.request};
    call.prediction = score_call(context, result, NormalizeOptions{});
    return call;
}

Prediction reply(const Example& example, int rotation, const std::string& text) {
    EngineResult result;
    result.text = text;
    return score(example, rotation, result, Scoring::Generate).prediction;
}

TEST(Scorer, RotatedLettersMapBack) {
    // Rotation r shows original option (i + r) mod 5 at position i.
    struct Case {
        int rotation;
        std::string shown;
        std::string original;
    };
    const std::vector<Case> cases = {
        {0, "A", "A"}, {0, "E", "E"}, {1, "A", "B"}, {1, "D", "E"}, {1, "E", "A"}, {2, "A", "C"},
        {2, "C", "E"}, {2, "D", "A"}, {3, "B", "E"}, {3, "C", "A"}, {4, "A", "E"}, {4, "B", "A"}, {4, "E", "D"},
    };
    const auto examples = real_medxpertqa();
    const Example& example = examples.front();
    for (const auto& c : cases) {
        const Prediction p = reply(example, c.rotation, c.shown);
        EXPECT_EQ(p.shown_letter, c.shown) << "rotation " << c.rotation;
        EXPECT_EQ(p.extracted, c.original) << "rotation " << c.rotation << " shown " << c.shown;
        EXPECT_EQ(p.correct, c.original == example.answer) << "rotation " << c.rotation << " shown " << c.shown;
        EXPECT_FALSE(p.unknown);
    }
}

TEST(Scorer, GoldTextIsCorrectUnderEveryRotation) {
    // Answering with the letter that shows the gold option's text is correct
    // on every real record and rotation; any other letter is wrong.
    for (const auto& example : real_medxpertqa()) {
        for (int rotation = 0; rotation < 5; ++rotation) {
            const BuiltPrompt prompt = build_prompt(example, AblationMode::ImageText, rotation, PromptTexts::defaults(), false);
            for (size_t i = 0; i < prompt.letters.size(); ++i) {
                const Choice& shown = example.choices[static_cast<size_t>(prompt.shown_to_original[i])];
                const Prediction p = reply(example, rotation, "Final answer: " + prompt.letters[i]);
                ASSERT_EQ(p.extracted, shown.letter) << example.id << " rotation " << rotation;
                ASSERT_EQ(p.correct, shown.letter == example.answer) << example.id << " rotation " << rotation;
            }
        }
    }
}

TEST(Scorer, OptionTextReplyMapsToOriginalLetter) {
    const auto examples = real_medxpertqa();
    const Example& example = examples.front();
    // The reply quotes option C's text; under rotation 2 it is shown as A.
    const Prediction p = reply(example, 2, example.choices[2].text);
    EXPECT_EQ(p.shown_letter, "A");
    EXPECT_EQ(p.extracted, "C");
    EXPECT_EQ(p.extraction_rule, "option_text");
}

TEST(Scorer, UnknownStaysUnknown) {
    const auto examples = real_medxpertqa();
    const Prediction p = reply(examples.front(), 3, "I cannot see the image.");
    EXPECT_TRUE(p.unknown);
    EXPECT_TRUE(p.extracted.empty());
    EXPECT_FALSE(p.correct);
}

TEST(Scorer, ChoiceLogprobsAreKeyedByOriginalLetter) {
    const auto examples = real_medxpertqa();
    const Example& example = examples.front();
    EngineResult result;
    // Shown letters under rotation 1: A=B, B=C, C=D, D=E, E=A.
    result.choice_logprobs = {{"A", -2.0}, {"B", -1.0}, {"C", -3.0}, {"D", -4.0}, {"E", -0.5}};
    result.text = "E";
    const Prediction p = score(example, 1, result, Scoring::ChoiceLogprob).prediction;
    EXPECT_EQ(p.extraction_rule, "choice_logprob");
    EXPECT_EQ(p.shown_letter, "E");
    EXPECT_EQ(p.extracted, "A");
    ASSERT_EQ(p.choice_logprobs.size(), 5u);
    EXPECT_DOUBLE_EQ(p.choice_logprobs.at("A"), -0.5);
    EXPECT_DOUBLE_EQ(p.choice_logprobs.at("B"), -2.0);
    EXPECT_DOUBLE_EQ(p.choice_logprobs.at("C"), -1.0);
    EXPECT_DOUBLE_EQ(p.choice_logprobs.at("D"), -3.0);
    EXPECT_DOUBLE_EQ(p.choice_logprobs.at("E"), -4.0);
    EXPECT_FALSE(p.unknown);
}

}  // namespace
}  // namespace medvlm
