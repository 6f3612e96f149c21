// Prompt texts: the answer-choice block of MedXpertQA-MM questions is
// replaced by the (rotated) choices, so the model never sees two orders.

#include <gtest/gtest.h>

#include "core/error.hpp"
#include "core/files.hpp"
#include "data/loaders.hpp"
#include "prompts/prompt_builder.hpp"
#include "support/test_support.hpp"

namespace medvlm {
namespace {

std::vector<Example> real_medxpertqa() {
    const auto data = testing::shared_data_dir();
    const std::string content = read_file(data / "medxpertqa_mm/MM_test.sample.jsonl");
    return parse_medxpertqa_mm("MM_test.sample.jsonl", content, ParseOptions{}).examples;
}

TEST(PromptBuilder, RotationShowsCyclicOrder) {
    EXPECT_EQ(rotation_order(5, 0), (std::vector<int>{0, 1, 2, 3, 4}));
    EXPECT_EQ(rotation_order(5, 1), (std::vector<int>{1, 2, 3, 4, 0}));
    EXPECT_EQ(rotation_order(5, 4), (std::vector<int>{4, 0, 1, 2, 3}));
}

TEST(PromptBuilder, RealRecordsNeverShowTwoOrders) {
    const auto examples = real_medxpertqa();
    const PromptTexts texts = PromptTexts::defaults();
    for (const auto& example : examples) {
        for (int rotation = 0; rotation < 5; ++rotation) {
            const BuiltPrompt prompt = build_prompt(example, AblationMode::ImageText, rotation, texts, false);
            // The original inline block is gone; one choice list remains.
            ASSERT_EQ(prompt.user_text.find("Answer Choices:"), prompt.user_text.rfind("Answer Choices:")) << example.id;
            ASSERT_EQ(prompt.user_text.find("(A) " + example.choices[0].text + " (B)"), std::string::npos) << example.id;
            for (size_t i = 0; i < 5; ++i) {
                const auto& shown = example.choices[static_cast<size_t>(prompt.shown_to_original[i])];
                const std::string line = "(" + prompt.letters[i] + ") " + shown.text;
                ASSERT_NE(prompt.user_text.find(line), std::string::npos) << example.id << " rotation " << rotation;
            }
        }
    }
}

TEST(PromptBuilder, StripsTheInlineChoiceBlock) {
    const auto examples = real_medxpertqa();
    const std::string stem = strip_answer_choices(examples[0].question);
    EXPECT_EQ(stem.find("Answer Choices"), std::string::npos);
    EXPECT_TRUE(stem.ends_with("rotatory stability?")) << stem;
}

TEST(PromptBuilder, OptionsOnlyLeaksNoVignette) {
    const auto examples = real_medxpertqa();
    const PromptTexts texts = PromptTexts::defaults();
    for (const auto& example : examples) {
        const std::string stem = strip_answer_choices(example.question);
        for (const auto mode : {AblationMode::OptionsOnly, AblationMode::ImageOptionsOnly}) {
            const BuiltPrompt prompt = build_prompt(example, mode, 0, texts, false);
            // The first 40 characters of the vignette appear nowhere.
            ASSERT_EQ(prompt.user_text.find(stem.substr(0, std::min<size_t>(40, stem.size()))), std::string::npos)
                << example.id << " " << mode_name(mode);
            ASSERT_EQ(prompt.system.find(stem.substr(0, 40)), std::string::npos);
        }
    }
}

TEST(PromptBuilder, ShortAnswerPromptIgnoresGold) {
    Example yes_no;
    yes_no.question = "Is this a CT?";
    yes_no.answer = "Yes";
    Example open = yes_no;
    open.answer = "Liver";
    const PromptTexts texts = PromptTexts::defaults();
    EXPECT_EQ(build_prompt(yes_no, AblationMode::ImageText, 0, texts, false).user_text,
              build_prompt(open, AblationMode::ImageText, 0, texts, false).user_text);
    EXPECT_THROW((void)build_prompt(open, AblationMode::OptionsOnly, 0, texts, false), InputError);
}

TEST(PromptBuilder, PlaceholderTextInQuestionIsNotExpanded) {
    Example example;
    example.question = "What does {choices} mean here?";
    example.choices = {{"A", "x"}, {"B", "y"}};
    const BuiltPrompt prompt = build_prompt(example, AblationMode::TextOnly, 0, PromptTexts::defaults(), false);
    EXPECT_NE(prompt.user_text.find("What does {choices} mean here?"), std::string::npos);
}

}  // namespace
}  // namespace medvlm
