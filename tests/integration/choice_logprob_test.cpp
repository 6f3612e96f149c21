// --scoring choice-logprob in the in-process engine with the tiny model, on
// real MedXpertQA-MM prompts (with stand-in images for the image calls).

#include <gtest/gtest.h>

#include <cmath>

#include "engine/llama_engine.hpp"
#include "prompts/prompt_builder.hpp"
#include "support/stand_in_support.hpp"
#include "support/test_support.hpp"

namespace medvlm {
namespace {

class ChoiceLogprobTest : public ::testing::Test {
protected:
    static void SetUpTestSuite() {
        engine_ = make_llama_engine(testing::tiny_engine_options(testing::tiny_model())).release();
    }
    static void TearDownTestSuite() {
        delete engine_;
        engine_ = nullptr;
    }

    static EngineRequest request_for(const Example& example, AblationMode mode, int rotation) {
        const BuiltPrompt prompt = build_prompt(example, mode, rotation, PromptTexts::defaults(), true);
        EngineRequest request;
        request.system = prompt.system;
        request.user_text = prompt.user_text;
        request.assistant_prefix = prompt.assistant_prefix;
        request.max_new_tokens = 0;
        request.scoring = Scoring::ChoiceLogprob;
        request.choice_letters = prompt.letters;
        if (mode_sends_images(mode)) {
            for (const auto& image : example.images) {
                request.images.push_back({image.path, image.sha256});
            }
        }
        return request;
    }

    static Engine* engine_;
};

Engine* ChoiceLogprobTest::engine_ = nullptr;

TEST_F(ChoiceLogprobTest, FiveFiniteLetterLogprobs) {
    ASSERT_TRUE(engine_->supports_choice_logprob());
    const Dataset dataset = testing::load_medxpertqa_with_stand_ins(3);
    for (const auto& example : dataset.examples) {
        for (const auto mode : {AblationMode::TextOnly, AblationMode::ImageText, AblationMode::OptionsOnly}) {
            const EngineResult result = engine_->run(request_for(example, mode, 1));
            const std::string context = example.id + " " + mode_name(mode);
            ASSERT_TRUE(result.ok) << context << ": " << result.error;
            ASSERT_EQ(result.choice_logprobs.size(), 5u) << context;
            double total = 0;
            std::string best;
            double best_logprob = -INFINITY;
            for (const std::string letter : {"A", "B", "C", "D", "E"}) {
                ASSERT_TRUE(result.choice_logprobs.contains(letter)) << context << " " << letter;
                const double logprob = result.choice_logprobs.at(letter);
                EXPECT_TRUE(std::isfinite(logprob)) << context << " " << letter;
                EXPECT_LE(logprob, 0.0) << context << " " << letter;
                total += std::exp(logprob);
                if (logprob > best_logprob) {
                    best_logprob = logprob;
                    best = letter;
                }
            }
            EXPECT_LE(total, 1.0 + 1e-9) << context;
            EXPECT_GT(total, 0.0) << context;
            EXPECT_EQ(result.text, best) << context;
            EXPECT_EQ(result.generated_tokens, 0) << context;
            if (mode_sends_images(mode)) {
                EXPECT_GT(result.image_tokens, 0) << context;
            }
        }
    }
}

TEST_F(ChoiceLogprobTest, SamePromptGivesSameValues) {
    const Dataset dataset = testing::load_medxpertqa_with_stand_ins(1);
    for (const auto mode : {AblationMode::TextOnly, AblationMode::ImageText}) {
        const EngineRequest request = request_for(dataset.examples.front(), mode, 0);
        const EngineResult first = engine_->run(request);
        const EngineResult second = engine_->run(request);
        ASSERT_TRUE(first.ok) << first.error;
        ASSERT_TRUE(second.ok) << second.error;
        EXPECT_EQ(first.choice_logprobs, second.choice_logprobs) << mode_name(mode);
        EXPECT_EQ(first.text, second.text) << mode_name(mode);
    }
}

TEST_F(ChoiceLogprobTest, RotationChangesWhichLetterIsScored) {
    // The same options under another rotation sit at other letters, so the
    // prompt and therefore the log-probabilities differ.
    const Dataset dataset = testing::load_medxpertqa_with_stand_ins(1);
    const Example& example = dataset.examples.front();
    const EngineResult original = engine_->run(request_for(example, AblationMode::TextOnly, 0));
    const EngineResult rotated = engine_->run(request_for(example, AblationMode::TextOnly, 2));
    ASSERT_TRUE(original.ok) << original.error;
    ASSERT_TRUE(rotated.ok) << rotated.error;
    EXPECT_NE(original.choice_logprobs, rotated.choice_logprobs);
}

}  // namespace
}  // namespace medvlm
