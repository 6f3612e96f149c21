// The in-process engine on real SLAKE and VQA-RAD records and images.

#include <gtest/gtest.h>

#include "data/dataset.hpp"
#include "engine/llama_engine.hpp"
#include "prompts/prompt_builder.hpp"
#include "support/test_support.hpp"

namespace medvlm {
namespace {

class LlamaEngineTest : public ::testing::Test {
protected:
    static void SetUpTestSuite() {
        engine_ = make_llama_engine(testing::tiny_engine_options(testing::tiny_model())).release();
    }
    static void TearDownTestSuite() {
        delete engine_;
        engine_ = nullptr;
    }

    static Dataset load(Benchmark benchmark, const std::string& file, const std::string& images, size_t limit) {
        const auto data = testing::shared_data_dir();
        DatasetOptions options;
        options.benchmark = benchmark;
        options.data_file = data / file;
        options.image_root = data / images;
        options.limit = limit;
        return load_dataset(options);
    }

    static EngineRequest request_for(const Example& example, bool with_images) {
        const BuiltPrompt prompt = build_prompt(example, AblationMode::ImageText, 0, PromptTexts::defaults(), false);
        EngineRequest request;
        request.user_text = prompt.user_text;
        request.max_new_tokens = 4;
        if (with_images) {
            for (const auto& image : example.images) {
                request.images.push_back({image.path, image.sha256});
            }
        }
        return request;
    }

    static Engine* engine_;
};

Engine* LlamaEngineTest::engine_ = nullptr;

TEST_F(LlamaEngineTest, ImagesReachTheModelOnRealRows) {
    const Dataset slake = load(Benchmark::Slake, "slake/test.json", "slake/images", 5);
    const Dataset vqa = load(Benchmark::VqaRad, "vqa_rad/VQA_RAD_Dataset_Public.test.json", "vqa_rad/images", 5);
    ASSERT_EQ(slake.examples.size(), 5u);
    ASSERT_EQ(vqa.examples.size(), 5u);
    for (const Dataset* dataset : {&slake, &vqa}) {
        for (const auto& example : dataset->examples) {
            const EngineResult with_images = engine_->run(request_for(example, true));
            ASSERT_TRUE(with_images.ok) << with_images.error;
            EXPECT_GT(with_images.image_tokens, 0) << example.id;
            EXPECT_EQ(with_images.images_encoded, 1) << example.id;
            EXPECT_GE(with_images.image_chunks, 1) << example.id;

            const EngineResult text_only = engine_->run(request_for(example, false));
            ASSERT_TRUE(text_only.ok) << text_only.error;
            EXPECT_EQ(text_only.image_tokens, 0) << example.id;
            EXPECT_EQ(text_only.image_chunks, 0) << example.id;
            // Image positions plus the image delimiter tokens libmtmd adds.
            EXPECT_GE(with_images.prompt_tokens, text_only.prompt_tokens + with_images.image_tokens) << example.id;
        }
    }
}

TEST_F(LlamaEngineTest, MarkerTextNeitherCreatesNorSwallowsImages) {
    const Dataset slake = load(Benchmark::Slake, "slake/test.json", "slake/images", 1);
    const Example& example = slake.examples.front();

    EngineRequest plain = request_for(example, true);
    const EngineResult base = engine_->run(plain);
    ASSERT_TRUE(base.ok) << base.error;

    EngineRequest marked = plain;
    marked.user_text = "<__media__> <image> " + plain.user_text + " <__media__>";
    const EngineResult with_markers = engine_->run(marked);
    ASSERT_TRUE(with_markers.ok) << with_markers.error;
    EXPECT_EQ(with_markers.image_chunks, base.image_chunks);
    EXPECT_EQ(with_markers.image_tokens, base.image_tokens);
    EXPECT_EQ(with_markers.images_encoded, 1);

    EngineRequest text_only = request_for(example, false);
    text_only.user_text = marked.user_text;
    const EngineResult no_images = engine_->run(text_only);
    ASSERT_TRUE(no_images.ok) << no_images.error;
    EXPECT_EQ(no_images.image_chunks, 0);
    EXPECT_EQ(no_images.image_tokens, 0);
}

TEST_F(LlamaEngineTest, GreedyGenerationIsDeterministic) {
    const Dataset slake = load(Benchmark::Slake, "slake/test.json", "slake/images", 1);
    const EngineRequest request = request_for(slake.examples.front(), true);
    const EngineResult first = engine_->run(request);
    const EngineResult second = engine_->run(request);
    ASSERT_TRUE(first.ok);
    EXPECT_EQ(first.text, second.text);
    EXPECT_EQ(first.generated_tokens, second.generated_tokens);
    EXPECT_LE(first.generated_tokens, 4);
}

TEST_F(LlamaEngineTest, ContextOverflowIsARecordedFailure) {
    const Dataset slake = load(Benchmark::Slake, "slake/test.json", "slake/images", 1);
    EngineRequest request = request_for(slake.examples.front(), false);
    request.user_text = std::string(5000, 'x');
    const EngineResult result = engine_->run(request);
    EXPECT_FALSE(result.ok);
    EXPECT_NE(result.error.find("--ctx-size"), std::string::npos) << result.error;
}

}  // namespace
}  // namespace medvlm
