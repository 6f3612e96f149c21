// `medvlm train` as a user runs it: variants A, B and C on a stage file
// built from real VQA-RAD train records, each output evaluated by
// `medvlm eval` on VQA-RAD test rows.

#include <gtest/gtest.h>

#include "core/files.hpp"
#include "support/test_support.hpp"
#include "train/train_test_data.hpp"

namespace medvlm {
namespace {

class TrainCli : public ::testing::TestWithParam<std::string> {};

TEST_P(TrainCli, VqaRadOutputsRunInEval) {
    const std::string variant = GetParam();
    const auto data = testing::shared_data_dir();
    const auto dir = testing::make_temp_dir("train-cli-" + variant);
    testing::StageSource source = testing::vqa_rad_train(24);
    source.distinct_images = false;
    const auto stage = testing::write_stage_file(dir / "stage2.jsonl", source);
    const auto& model = testing::tiny_model(1);

    std::vector<std::string> arguments = {"train", "--model", model.model.string(), "--mmproj", model.mmproj.string(),
                                          "--data", stage.string(), "--variant", variant, "--rank", "4", "--alpha", "8",
                                          "--lr", "3e-3", "--epochs", "2", "--val-fraction", "0.2", "--threads", "1",
                                          "--out", (dir / "run").string()};
    if (variant == "C") {
        arguments.insert(arguments.end(), {"--late-vision-blocks", "2"});
    }
    const auto trained = testing::run_medvlm(arguments);
    ASSERT_EQ(trained.exit_code, 0) << trained.output;
    EXPECT_NE(trained.output.find("tokens/s"), std::string::npos) << trained.output;
    EXPECT_NE(trained.output.find("ETA"), std::string::npos) << trained.output;
    EXPECT_NE(trained.output.find("validation loss"), std::string::npos) << trained.output;

    const nlohmann::json manifest = read_json_file(dir / "run/train.json");
    EXPECT_EQ(manifest.at("status"), "finished");
    EXPECT_EQ(manifest.at("variant"), variant);
    EXPECT_EQ(manifest.at("data").at(0).at("records"), 24);
    EXPECT_EQ(manifest.at("data").at(0).at("sha256").get<std::string>().size(), 64u);
    EXPECT_EQ(manifest.at("hyper_parameters").at("rank"), 4);
    ASSERT_EQ(manifest.at("epochs").size(), 2u);
    for (const auto& epoch : manifest.at("epochs")) {
        EXPECT_TRUE(epoch.at("train_loss").is_number());
        EXPECT_TRUE(epoch.at("validation_loss").is_number());
    }
    EXPECT_TRUE(std::filesystem::exists(dir / "run/checkpoints/epoch-1.gguf"));
    EXPECT_TRUE(std::filesystem::exists(dir / "run/checkpoints/epoch-2.gguf"));
    const auto adapter = dir / "run/adapter.gguf";
    ASSERT_TRUE(std::filesystem::exists(adapter));
    auto mmproj = model.mmproj;
    if (variant == "A") {
        EXPECT_TRUE(manifest.at("outputs").at("mmproj").is_null());
    } else {
        mmproj = dir / "run/mmproj-merged.gguf";
        ASSERT_TRUE(std::filesystem::exists(mmproj));
    }

    const auto evaluated = testing::run_medvlm(
        {"eval", "--benchmark", "vqa-rad", "--data", (data / "vqa_rad/VQA_RAD_Dataset_Public.test.json").string(),
         "--image-root", (data / "vqa_rad/images").string(), "--model", model.model.string(), "--mmproj",
         mmproj.string(), "--lora", adapter.string(), "--modes", "image+text", "--limit", "3", "--threads", "1",
         "--out", (dir / "eval").string()});
    ASSERT_EQ(evaluated.exit_code, 0) << evaluated.output;
    const nlohmann::json eval_manifest = read_json_file(dir / "eval/manifest.json");
    EXPECT_NE(eval_manifest.dump().find(adapter.filename().string()), std::string::npos);
    for (const auto& prediction : testing::read_jsonl(dir / "eval/predictions.jsonl")) {
        EXPECT_GT(prediction.at("image_tokens").get<int64_t>(), 0);
    }
}

INSTANTIATE_TEST_SUITE_P(Variants, TrainCli, ::testing::Values("A", "B", "C"),
                         [](const auto& info) { return "Variant" + info.param; });

}  // namespace
}  // namespace medvlm
