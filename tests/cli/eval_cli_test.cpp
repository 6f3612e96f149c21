// `medvlm make-tiny-model` and `medvlm eval` as a user runs them.

#include <gtest/gtest.h>

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
