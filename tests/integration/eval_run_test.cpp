// run_eval end to end with the real engine, and with a scripted engine for
// the checks that need a controlled reply.

#include <gtest/gtest.h>

#include "core/error.hpp"
#include "core/files.hpp"
#include "engine/llama_engine.hpp"
#include "run/eval_runner.hpp"
#include "support/test_support.hpp"

namespace medvlm {
namespace {

// An engine that answers from a fixed script and can pretend to drop images.
class ScriptedEngine : public Engine {
public:
    explicit ScriptedEngine(std::string reply, bool drop_images = false)
        : reply_(std::move(reply)), drop_images_(drop_images) {}
    [[nodiscard]] nlohmann::json describe() const override { return {{"kind", "scripted"}}; }
    [[nodiscard]] bool supports_choice_logprob() const override { return false; }
    [[nodiscard]] EngineResult run(const EngineRequest& request) override {
        EngineResult result;
        result.text = reply_;
        if (!drop_images_) {
            result.images_encoded = static_cast<int>(request.images.size());
            result.image_chunks = static_cast<int>(request.images.size());
            result.image_tokens = 8 * static_cast<int64_t>(request.images.size());
        }
        result.prompt_tokens = 100 + result.image_tokens;
        return result;
    }

private:
    std::string reply_;
    bool drop_images_;
};

EvalConfig slake_config(size_t limit) {
    const auto data = testing::shared_data_dir();
    EvalConfig config;
    config.dataset.benchmark = Benchmark::Slake;
    config.dataset.data_file = data / "slake/test.json";
    config.dataset.image_root = data / "slake/images";
    config.dataset.limit = limit;
    config.out_dir = testing::make_temp_dir("eval") / "run";
    return config;
}

TEST(EvalRun, TinyModelOnTwentySlakeRowsWritesFourFiles) {
    const EvalConfig config = slake_config(20);
    const Dataset dataset = load_dataset(config.dataset);
    const auto engine = make_llama_engine(testing::tiny_engine_options(testing::tiny_model()));

    const EvalOutcome outcome = run_eval(config, dataset, *engine);
    for (const char* name : {"manifest.json", "predictions.jsonl", "summary.json", "report.md"}) {
        EXPECT_TRUE(std::filesystem::exists(config.out_dir / name)) << name;
    }
    const auto predictions = testing::read_jsonl(config.out_dir / "predictions.jsonl");
    ASSERT_EQ(predictions.size(), 40u);
    for (const auto& prediction : predictions) {
        ASSERT_TRUE(prediction.at("ok").get<bool>()) << prediction.dump();
        if (prediction.at("mode") == "image+text") {
            EXPECT_GT(prediction.at("image_tokens").get<int64_t>(), 0) << prediction.at("id");
            EXPECT_EQ(prediction.at("images_encoded").get<int>(), 1);
        } else {
            EXPECT_EQ(prediction.at("image_tokens").get<int64_t>(), 0) << prediction.at("id");
        }
    }
    const auto summary = read_json_file(config.out_dir / "summary.json");
    EXPECT_TRUE(summary.at("valid").get<bool>());
    EXPECT_EQ(summary.at("telemetry").at("rows").get<int64_t>(), 20);
    EXPECT_TRUE(summary.at("test_model").get<bool>());
    const auto manifest = read_json_file(config.out_dir / "manifest.json");
    EXPECT_EQ(manifest.at("data").at("sha256").get<std::string>().size(), 64u);
    EXPECT_EQ(manifest.at("engine").at("model_sha256").get<std::string>().size(), 64u);
    EXPECT_FALSE(manifest.at("prompts").at("texts").at("short_answer").get<std::string>().empty());
    const std::string report = read_file(config.out_dir / "report.md");
    EXPECT_NE(report.find("random-weight test model"), std::string::npos);
    EXPECT_NE(report.find("| Run | Rows | Rows with image filenames | Rows with loaded images | Zero-image rows |"),
              std::string::npos);
}

TEST(EvalRun, DroppedImagesMarkTheRunInvalid) {
    const EvalConfig config = slake_config(5);
    const Dataset dataset = load_dataset(config.dataset);
    ScriptedEngine engine("yes", /*drop_images=*/true);
    const EvalOutcome outcome = run_eval(config, dataset, engine);
    EXPECT_FALSE(outcome.summary.at("valid").get<bool>());
    ASSERT_FALSE(outcome.summary.at("invalid_reasons").empty());
    EXPECT_NE(outcome.summary.at("invalid_reasons")[0].get<std::string>().find("image+text"), std::string::npos);
    const std::string report = read_file(config.out_dir / "report.md");
    EXPECT_NE(report.find("INVALID RUN"), std::string::npos);
}

TEST(EvalRun, MultimodalModeOnZeroImageRowIsAnError) {
    EvalConfig config = slake_config(3);
    Dataset dataset = load_dataset(config.dataset);
    dataset.examples[1].images.clear();
    ScriptedEngine engine("yes");
    EXPECT_THROW((void)run_eval(config, dataset, engine), InputError);
    config.modes = {AblationMode::TextOnly};
    config.out_dir = testing::make_temp_dir("eval-text") / "run";
    EXPECT_NO_THROW((void)run_eval(config, dataset, engine));
}

TEST(EvalRun, SameRunDirectoryResumesWithoutNewCalls) {
    const EvalConfig config = slake_config(2);
    const Dataset dataset = load_dataset(config.dataset);
    ScriptedEngine engine("yes");
    const EvalOutcome first = run_eval(config, dataset, engine);
    EXPECT_FALSE(first.resumed);
    EXPECT_EQ(first.calls_run, 4u);
    const EvalOutcome second = run_eval(config, dataset, engine);
    EXPECT_TRUE(second.resumed);
    EXPECT_EQ(second.calls_run, 0u);
    EXPECT_EQ(second.manifest.at("created_at"), first.manifest.at("created_at"));
    EXPECT_EQ(testing::read_jsonl(config.out_dir / "predictions.jsonl").size(), 4u);
}

}  // namespace
}  // namespace medvlm
