// A run stopped after an epoch and resumed from its checkpoint ends with the
// same adapter, bit for bit, as a run that never stopped: the checkpoint
// contains the LoRA tensors, the AdamW moments and the step count, and the
// sample order depends only on the seed and the epoch.

#include <gtest/gtest.h>

#include <ggml.h>

#include <cstring>

#include "core/files.hpp"
#include "support/test_support.hpp"
#include "train/checkpoint.hpp"
#include "train/train_test_data.hpp"
#include "train/trainer.hpp"
#include "train/weight_file.hpp"

namespace medvlm {
namespace {

TrainOptions options_for(const std::filesystem::path& stage, const std::filesystem::path& out, int epochs) {
    const auto& files = testing::tiny_model(1);
    TrainOptions options;
    options.model = files.model;
    options.mmproj = files.mmproj;
    options.data = {stage};
    options.variant = Variant::C;
    options.late_vision_blocks = 1;
    options.rank = 4;
    options.alpha = 8;
    options.learning_rate = 3e-3f;
    options.epochs = epochs;
    options.validation_fraction = 0.25;
    options.seed = 11;
    options.threads = 1;
    options.out_dir = out;
    return options;
}

std::map<std::string, std::vector<char>> tensor_bytes(const std::filesystem::path& path) {
    WeightFile file(path);
    file.load([](const std::string&) { return true; });
    std::map<std::string, std::vector<char>> bytes;
    for (const auto& name : file.tensor_names()) {
        const ggml_tensor* tensor = file.tensor(name);
        const auto* data = static_cast<const char*>(tensor->data);
        bytes[name] = std::vector<char>(data, data + ggml_nbytes(tensor));
    }
    return bytes;
}

TEST(CheckpointResume, ResumedRunMatchesUninterruptedRun) {
    const auto dir = testing::make_temp_dir("resume");
    const auto stage = testing::write_stage_file(dir / "stage.jsonl", testing::slake_train(8));

    const TrainOutcome straight = run_training(options_for(stage, dir / "straight", 3));

    (void)run_training(options_for(stage, dir / "stopped", 1));
    const auto checkpoint_path = dir / "stopped/checkpoints/epoch-1.gguf";
    ASSERT_TRUE(std::filesystem::exists(checkpoint_path));
    const Checkpoint checkpoint = read_checkpoint(checkpoint_path);
    EXPECT_EQ(checkpoint.epoch, 1);
    EXPECT_EQ(checkpoint.optimizer_steps, 6);  // 8 records, 2 of them (2 images) held out
    EXPECT_EQ(checkpoint.moments.size(), checkpoint.parameters.size());

    TrainOptions resume = options_for(stage, dir / "stopped", 3);
    resume.resume = checkpoint_path;
    const TrainOutcome resumed = run_training(resume);

    EXPECT_EQ(tensor_bytes(straight.adapter), tensor_bytes(resumed.adapter));
    EXPECT_EQ(tensor_bytes(straight.merged_mmproj), tensor_bytes(resumed.merged_mmproj));
    const auto& straight_epochs = straight.manifest_json.at("epochs");
    const auto& resumed_epochs = resumed.manifest_json.at("epochs");
    ASSERT_EQ(straight_epochs.size(), 3u);
    ASSERT_EQ(resumed_epochs.size(), 3u);
    for (size_t i = 0; i < 3; ++i) {
        EXPECT_EQ(straight_epochs[i].at("train_loss"), resumed_epochs[i].at("train_loss")) << "epoch " << i + 1;
        EXPECT_EQ(straight_epochs[i].at("validation_loss"), resumed_epochs[i].at("validation_loss")) << "epoch " << i + 1;
    }
    EXPECT_FALSE(resumed.manifest_json.at("resumed_from").is_null());
}

TEST(CheckpointResume, RejectsDifferentHyperParameters) {
    const auto dir = testing::make_temp_dir("resume-mismatch");
    const auto stage = testing::write_stage_file(dir / "stage.jsonl", testing::slake_train(4));
    (void)run_training(options_for(stage, dir / "run", 1));

    TrainOptions changed = options_for(stage, dir / "run", 2);
    changed.resume = dir / "run/checkpoints/epoch-1.gguf";
    changed.learning_rate = 1e-3f;
    try {
        (void)run_training(changed);
        FAIL() << "a resume with another learning rate was accepted";
    } catch (const InputError& e) {
        EXPECT_NE(std::string(e.what()).find("learning_rate"), std::string::npos) << e.what();
    }
}

TEST(CheckpointResume, ExistingRunIsNotOverwritten) {
    const auto dir = testing::make_temp_dir("resume-existing");
    const auto stage = testing::write_stage_file(dir / "stage.jsonl", testing::slake_train(4));
    (void)run_training(options_for(stage, dir / "run", 1));
    EXPECT_THROW((void)run_training(options_for(stage, dir / "run", 1)), InputError);
}

}  // namespace
}  // namespace medvlm
