#include <gtest/gtest.h>

#include "core/files.hpp"
#include "core/sha256.hpp"
#include "engine/llama_engine.hpp"
#include "model/tiny_model.hpp"
#include "support/test_support.hpp"

namespace medvlm {
namespace {

TEST(TinyModel, SameSeedSameBytes) {
    TinyModelOptions options;
    options.seed = 42;
    options.out_dir = testing::make_temp_dir("tiny-a");
    const TinyModelFiles first = write_tiny_model(options);
    options.out_dir = testing::make_temp_dir("tiny-b");
    const TinyModelFiles second = write_tiny_model(options);
    EXPECT_EQ(sha256_file(first.model), sha256_file(second.model));
    EXPECT_EQ(sha256_file(first.mmproj), sha256_file(second.mmproj));

    options.seed = 43;
    options.out_dir = testing::make_temp_dir("tiny-c");
    const TinyModelFiles other = write_tiny_model(options);
    EXPECT_NE(sha256_file(first.model), sha256_file(other.model));
}

TEST(TinyModel, FilesAreSmall) {
    const auto& files = testing::tiny_model();
    EXPECT_LT(std::filesystem::file_size(files.model), 20u * 1024 * 1024);
    EXPECT_LT(std::filesystem::file_size(files.mmproj), 20u * 1024 * 1024);
}

TEST(TinyModel, LlamaCppLoadsBothFiles) {
    const auto& files = testing::tiny_model();
    LlamaEngineOptions options;
    options.model = files.model;
    options.mmproj = files.mmproj;
    options.context_size = 2048;
    const auto engine = make_llama_engine(options);
    const auto description = engine->describe();
    EXPECT_EQ(description.at("kind"), "llama.cpp");
    EXPECT_TRUE(description.at("test_model").get<bool>());
    EXPECT_EQ(description.at("model_sha256"), sha256_file(files.model));
}

TEST(TinyModel, Q8WeightsLoad) {
    TinyModelOptions options;
    options.seed = 5;
    options.weight_type = TinyWeightType::Q8_0;
    options.out_dir = testing::make_temp_dir("tiny-q8");
    const TinyModelFiles files = write_tiny_model(options);
    LlamaEngineOptions engine_options;
    engine_options.model = files.model;
    engine_options.mmproj = files.mmproj;
    engine_options.context_size = 2048;
    EXPECT_NO_THROW((void)make_llama_engine(engine_options));
}

}  // namespace
}  // namespace medvlm
