// `medvlm train` as a user runs it. `medvlm curriculum` builds stage 2 from
// the real VQA-RAD train records, without test images and questions.
// Variants A, B and C train on its first records, and `medvlm eval` runs
// each output on VQA-RAD test rows.

#include <gtest/gtest.h>

#include <sstream>

#include "core/files.hpp"
#include "support/test_support.hpp"
#include "train/train_test_data.hpp"

namespace medvlm {
namespace {

constexpr size_t kStageRecords = 24;

// Runs the curriculum once per test process and returns a stage file
// with the first kStageRecords lines of its stage2.jsonl, unchanged. Returns
// an empty path, after recording the failure, when the curriculum fails.
std::filesystem::path curriculum_stage_head() {
    static const std::filesystem::path stage = [] {
        const auto rad = testing::shared_data_dir() / "vqa_rad";
        const std::string images = ",images=" + (rad / "images").string();
        const auto dir = testing::make_temp_dir("train-cli-curriculum");
        const auto built = testing::run_medvlm(
            {"curriculum", "--from",
             "benchmark=vqa-rad,split=train,data=" + (rad / "VQA_RAD_Dataset_Public.train.json").string() + images,
             "--exclude", "benchmark=vqa-rad,data=" + (rad / "VQA_RAD_Dataset_Public.test.json").string() + images,
             "--out", (dir / "curriculum").string()});
        EXPECT_EQ(built.exit_code, 0) << built.output;
        if (built.exit_code != 0) {
            return std::filesystem::path();
        }

        std::istringstream lines(read_file(dir / "curriculum/stage2.jsonl"));
        std::string line;
        std::string head;
        size_t count = 0;
        while (count < kStageRecords && std::getline(lines, line)) {
            head += line + "\n";
            ++count;
        }
        EXPECT_EQ(count, kStageRecords) << "stage2.jsonl holds fewer records than the test trains on";
        const auto path = dir / "stage2-head.jsonl";
        testing::write_text(path, head);
        return path;
    }();
    return stage;
}

class TrainCli : public ::testing::TestWithParam<std::string> {};

TEST_P(TrainCli, VqaRadOutputsRunInEval) {
    const std::string variant = GetParam();
    const auto data = testing::shared_data_dir();
    const auto dir = testing::make_temp_dir("train-cli-" + variant);
    const auto stage = curriculum_stage_head();
    ASSERT_FALSE(stage.empty()) << "medvlm curriculum failed, so there is no stage file to train on";
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
    EXPECT_EQ(manifest.at("data").at(0).at("records"), kStageRecords);
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
