// medvlm compare on two real runs that differ only in one prompt text: the
// comparison is rejected with the prompt named, and with
// --allow-different-harness every output starts with the warning.

#include <gtest/gtest.h>

#include "core/files.hpp"
#include "engine/llama_engine.hpp"
#include "run/eval_runner.hpp"
#include "support/test_support.hpp"

namespace medvlm {
namespace {

class CompareHarness : public ::testing::Test {
protected:
    static void SetUpTestSuite() {
        root_ = new std::filesystem::path(testing::make_temp_dir("compare-harness"));
        const auto data = testing::shared_data_dir();
        EvalConfig config;
        config.dataset.benchmark = Benchmark::Slake;
        config.dataset.data_file = data / "slake/test.json";
        config.dataset.image_root = data / "slake/images";
        config.dataset.limit = 4;
        config.modes = {AblationMode::TextOnly};
        config.max_new_tokens = 4;
        const Dataset dataset = load_dataset(config.dataset);

        const auto& files = testing::tiny_model();
        LlamaEngineOptions options;
        options.model = files.model;
        options.mmproj = files.mmproj;
        options.context_size = 2048;
        const auto engine = make_llama_engine(options);

        config.out_dir = *root_ / "default-prompt";
        (void)run_eval(config, dataset, *engine);
        config.prompts.short_answer += " Answer with one word.";
        config.out_dir = *root_ / "other-prompt";
        (void)run_eval(config, dataset, *engine);
    }
    static void TearDownTestSuite() {
        delete root_;
        root_ = nullptr;
    }

    static std::string dir(const std::string& name) { return (*root_ / name).string(); }

    static std::filesystem::path* root_;
};

std::filesystem::path* CompareHarness::root_ = nullptr;

TEST_F(CompareHarness, DifferentPromptIsRejected) {
    const auto result = testing::run_medvlm({"compare", dir("default-prompt"), dir("other-prompt"), "--out", dir("rejected")});
    EXPECT_EQ(result.exit_code, 2) << result.output;
    EXPECT_NE(result.output.find("not made with the same harness"), std::string::npos) << result.output;
    EXPECT_NE(result.output.find("prompts.sha256.short_answer: run A "), std::string::npos) << result.output;
    EXPECT_NE(result.output.find("--allow-different-harness"), std::string::npos) << result.output;
    // Only the prompt differs, so it is the only difference listed.
    EXPECT_EQ(result.output.find("decoding."), std::string::npos) << result.output;
    EXPECT_FALSE(std::filesystem::exists(*root_ / "rejected/comparison.json"));
}

TEST_F(CompareHarness, AllowedDifferenceWarnsOnEveryOutput) {
    const auto result = testing::run_medvlm(
        {"compare", dir("default-prompt"), dir("other-prompt"), "--out", dir("allowed"), "--allow-different-harness"});
    ASSERT_EQ(result.exit_code, 0) << result.output;
    EXPECT_NE(result.output.find("WARNING: these runs differ in their harness"), std::string::npos) << result.output;

    const std::string json_text = read_file(*root_ / "allowed/comparison.json");
    EXPECT_TRUE(json_text.starts_with("{\n  \"warning\": \"WARNING: these runs differ in their harness"))
        << json_text.substr(0, 200);
    EXPECT_NE(json_text.find("prompts.sha256.short_answer"), std::string::npos);
    const auto comparison = nlohmann::json::parse(json_text);
    EXPECT_FALSE(comparison.at("harness").at("same").get<bool>());
    EXPECT_TRUE(comparison.at("harness").at("allowed_different").get<bool>());

    const std::string report = read_file(*root_ / "allowed/report.md");
    EXPECT_TRUE(report.starts_with("> **WARNING: these runs differ in their harness")) << report.substr(0, 200);
    EXPECT_NE(report.find("No claim between runs: their harness differs."), std::string::npos);

    const std::string html = read_file(*root_ / "allowed/report.html");
    const size_t body = html.find("<body>");
    ASSERT_NE(body, std::string::npos);
    EXPECT_EQ(html.find("<div class=\"warning\">WARNING: these runs differ in their harness"), body + 7)
        << html.substr(body, 200);
}

}  // namespace
}  // namespace medvlm
