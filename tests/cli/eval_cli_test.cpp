// `medvlm make-tiny-model` and `medvlm eval` as a user runs them.

#include <gtest/gtest.h>

#include <map>
#include <string>
#include <vector>

#include "core/files.hpp"
#include "support/test_support.hpp"

namespace medvlm {
namespace {

TEST(EvalCli, TinyModelOnTwentySlakeRows) {
    const auto data = testing::shared_data_dir();
    const auto dir = testing::make_temp_dir("eval-cli");
    const auto made = testing::run_medvlm({"make-tiny-model", "--out", (dir / "model").string(), "--seed", "3"});
    ASSERT_EQ(made.exit_code, 0) << made.output;

    const auto run = testing::run_medvlm({"eval", "--benchmark", "slake", "--data", (data / "slake/test.json").string(),
                                          "--image-root", (data / "slake/images").string(), "--model",
                                          (dir / "model/model.gguf").string(), "--mmproj",
                                          (dir / "model/mmproj.gguf").string(), "--modes", "image+text,text-only",
                                          "--limit", "20", "--out", (dir / "run").string()});
    ASSERT_EQ(run.exit_code, 0) << run.output;
    EXPECT_NE(run.output.find("rows with loaded images"), std::string::npos);
    EXPECT_NE(run.output.find("| n (answered calls) | 20 | 20 |"), std::string::npos) << run.output;
    for (const char* name : {"manifest.json", "predictions.jsonl", "summary.json", "report.md"}) {
        EXPECT_TRUE(std::filesystem::exists(dir / "run" / name)) << name;
    }
    for (const auto& prediction : testing::read_jsonl(dir / "run/predictions.jsonl")) {
        if (prediction.at("mode") == "image+text") {
            EXPECT_GT(prediction.at("image_tokens").get<int64_t>(), 0);
        }
    }
}

// The engine's caches and --parallel change the work counted in
// summary.json, never a prediction.
TEST(EvalCli, CachesAndParallelKeepPredictions) {
    const auto data = testing::shared_data_dir();
    const auto dir = testing::make_temp_dir("eval-cli-caches");
    const auto made = testing::run_medvlm({"make-tiny-model", "--out", (dir / "model").string(), "--seed", "3"});
    ASSERT_EQ(made.exit_code, 0) << made.output;

    const std::vector<std::string> common = {
        "eval", "--benchmark", "slake", "--data", (data / "slake/test.json").string(), "--image-root",
        (data / "slake/images").string(), "--model", (dir / "model/model.gguf").string(), "--mmproj",
        (dir / "model/mmproj.gguf").string(), "--modes", "image+text,text-only", "--limit", "8"};
    std::vector<std::string> naive = common;
    naive.insert(naive.end(), {"--parallel", "1", "--image-cache-mb", "0", "--no-prefix-cache", "--out",
                               (dir / "naive").string()});
    std::vector<std::string> cached = common;
    cached.insert(cached.end(), {"--parallel", "3", "--out", (dir / "cached").string()});
    const auto naive_run = testing::run_medvlm(naive);
    ASSERT_EQ(naive_run.exit_code, 0) << naive_run.output;
    const auto cached_run = testing::run_medvlm(cached);
    ASSERT_EQ(cached_run.exit_code, 0) << cached_run.output;

    const auto naive_predictions = testing::read_jsonl(dir / "naive/predictions.jsonl");
    const auto cached_predictions = testing::read_jsonl(dir / "cached/predictions.jsonl");
    ASSERT_EQ(naive_predictions.size(), 16u);
    ASSERT_EQ(cached_predictions.size(), naive_predictions.size());
    std::map<std::string, nlohmann::json> naive_by_call;
    for (const auto& prediction : naive_predictions) {
        naive_by_call[prediction.at("id").get<std::string>() + " " + prediction.at("mode").get<std::string>()] =
            prediction;
    }
    for (const auto& prediction : cached_predictions) {
        const std::string call = prediction.at("id").get<std::string>() + " " + prediction.at("mode").get<std::string>();
        ASSERT_TRUE(naive_by_call.contains(call)) << call;
        EXPECT_EQ(prediction.at("raw_output"), naive_by_call.at(call).at("raw_output")) << call;
        EXPECT_EQ(prediction.at("prompt_tokens"), naive_by_call.at(call).at("prompt_tokens")) << call;
    }

    const auto naive_work = read_json_file(dir / "naive/summary.json").at("work");
    const auto cached_work = read_json_file(dir / "cached/summary.json").at("work");
    EXPECT_TRUE(cached_work.at("counted_by_engine").get<bool>());
    EXPECT_EQ(naive_work.at("prompt_tokens_reused").get<int64_t>(), 0);
    EXPECT_EQ(naive_work.at("prompt_tokens_evaluated"), naive_work.at("prompt_tokens"));
    EXPECT_EQ(cached_work.at("prompt_tokens_minimum"), naive_work.at("prompt_tokens_minimum"));
    EXPECT_LT(cached_work.at("prompt_tokens_evaluated").get<int64_t>(),
              naive_work.at("prompt_tokens_evaluated").get<int64_t>());
    EXPECT_EQ(cached_work.at("image_encodes"), cached_work.at("image_encodes_minimum"));
    EXPECT_LT(cached_work.at("image_encodes").get<int64_t>(), naive_work.at("image_encodes").get<int64_t>());
    EXPECT_NE(read_file(dir / "cached/report.md").find("## Work"), std::string::npos);
}

TEST(EvalCli, MissingModelFileIsAnEngineError) {
    const auto data = testing::shared_data_dir();
    const auto dir = testing::make_temp_dir("eval-cli-missing");
    const auto run = testing::run_medvlm({"eval", "--benchmark", "slake", "--data", (data / "slake/test.json").string(),
                                          "--image-root", (data / "slake/images").string(), "--model",
                                          (dir / "absent.gguf").string(), "--limit", "2", "--out",
                                          (dir / "run").string()});
    EXPECT_EQ(run.exit_code, 3) << run.output;
    EXPECT_NE(run.output.find("absent.gguf"), std::string::npos) << run.output;
}

}  // namespace
}  // namespace medvlm
