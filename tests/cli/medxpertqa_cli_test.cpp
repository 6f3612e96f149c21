// `medvlm make-stand-in-images` and the full MedXpertQA-MM protocol through
// `medvlm eval`, as a user runs them: 20 real records, all five modes, all
// five rotations, both scoring methods. The images are generated stand-ins
// named as the records name them (the real images are not available here),
// and the run states that.

#include <gtest/gtest.h>

#include "core/files.hpp"
#include "data/stand_in_images.hpp"
#include "support/stand_in_support.hpp"
#include "support/test_support.hpp"

namespace medvlm {
namespace {

const char* kAllModes = "text-only,image+text,shuffled-image,options-only,image+options-only";

class MedXpertQaCli : public ::testing::Test {
protected:
    static void SetUpTestSuite() {
        dir_ = new std::filesystem::path(testing::make_temp_dir("medxpertqa-cli"));
        const auto made = testing::run_medvlm({"make-tiny-model", "--out", (*dir_ / "model").string(), "--seed", "5"});
        ASSERT_EQ(made.exit_code, 0) << made.output;
        const auto images = testing::run_medvlm({"make-stand-in-images", "--benchmark", "medxpertqa-mm", "--data",
                                                 testing::medxpertqa_records_file().string(), "--out",
                                                 (*dir_ / "images").string()});
        ASSERT_EQ(images.exit_code, 0) << images.output;
        ASSERT_NE(images.output.find("Wrote 445 stand-in images"), std::string::npos) << images.output;
    }
    static void TearDownTestSuite() {
        delete dir_;
        dir_ = nullptr;
    }

    static testing::CommandResult eval(const std::string& out, const std::vector<std::string>& extra) {
        std::vector<std::string> arguments = {
            "eval", "--benchmark", "medxpertqa-mm", "--data", testing::medxpertqa_records_file().string(),
            "--image-root", (*dir_ / "images").string(), "--model", (*dir_ / "model/model.gguf").string(),
            "--mmproj", (*dir_ / "model/mmproj.gguf").string(), "--limit", "20", "--out", (*dir_ / out).string()};
        arguments.insert(arguments.end(), extra.begin(), extra.end());
        return testing::run_medvlm(arguments);
    }

    static std::filesystem::path* dir_;
};

std::filesystem::path* MedXpertQaCli::dir_ = nullptr;

void expect_summary_per_mode(const nlohmann::json& summary) {
    ASSERT_EQ(summary.at("modes").size(), 5u);
    for (const auto& [mode, stats] : summary.at("modes").items()) {
        EXPECT_EQ(stats.at("n").get<int64_t>(), 20) << mode;
        EXPECT_TRUE(stats.at("accuracy").is_number()) << mode;
        EXPECT_TRUE(stats.at("rotation_mean_accuracy").is_number()) << mode;
        EXPECT_EQ(stats.at("per_rotation").size(), 5u) << mode;
        EXPECT_EQ(stats.at("semantic_consistency").at("rows").get<int64_t>(), 20) << mode;
        EXPECT_TRUE(stats.at("unknown_rate").is_number()) << mode;
        EXPECT_TRUE(stats.at("answer_distribution").is_object()) << mode;
        EXPECT_EQ(stats.at("all_rotations").at("calls").get<int64_t>(), 100) << mode;
        const auto& baselines = stats.at("baselines");
        EXPECT_DOUBLE_EQ(baselines.at("random").get<double>(), 0.2) << mode;
        // The first 20 records have 5 B and 5 C labels.
        EXPECT_DOUBLE_EQ(baselines.at("best_constant_letter").at("accuracy").get<double>(), 0.25) << mode;
        EXPECT_DOUBLE_EQ(baselines.at("majority_label").at("share").get<double>(), 0.25) << mode;
        // Five rotations put every gold answer at every letter once.
        EXPECT_DOUBLE_EQ(baselines.at("best_constant_letter_all_rotations").at("accuracy").get<double>(), 0.2) << mode;
    }
}

TEST_F(MedXpertQaCli, GenerateAllModesFiveRotations) {
    const auto run = eval("generate", {"--modes", kAllModes, "--rotations", "5", "--stand-in-images"});
    ASSERT_EQ(run.exit_code, 0) << run.output;
    const auto predictions = testing::read_jsonl(*dir_ / "generate/predictions.jsonl");
    ASSERT_EQ(predictions.size(), 20u * 5u * 5u);
    expect_summary_per_mode(read_json_file(*dir_ / "generate/summary.json"));
    const std::string report = read_file(*dir_ / "generate/report.md");
    EXPECT_NE(report.find("**Stand-in images.**"), std::string::npos);
    EXPECT_NE(report.find("| Benchmark | Mode | Score | Interpretation |"), std::string::npos);
    EXPECT_NE(run.output.find("**Stand-in images.**"), std::string::npos);
}

TEST_F(MedXpertQaCli, ChoiceLogprobAllModesFiveRotations) {
    const auto run = eval("logprob", {"--modes", kAllModes, "--rotations", "5", "--scoring", "choice-logprob",
                                      "--stand-in-images"});
    ASSERT_EQ(run.exit_code, 0) << run.output;
    const auto predictions = testing::read_jsonl(*dir_ / "logprob/predictions.jsonl");
    ASSERT_EQ(predictions.size(), 20u * 5u * 5u);
    for (const auto& prediction : predictions) {
        ASSERT_EQ(prediction.at("choice_logprobs").size(), 5u) << prediction.dump();
        ASSERT_FALSE(prediction.at("unknown").get<bool>()) << prediction.dump();
        ASSERT_NE(prediction.at("extracted"), "") << prediction.dump();
    }
    const auto summary = read_json_file(*dir_ / "logprob/summary.json");
    expect_summary_per_mode(summary);
    for (const auto& [mode, stats] : summary.at("modes").items()) {
        EXPECT_EQ(stats.at("unknown").get<int64_t>(), 0) << mode;
        EXPECT_FALSE(stats.at("answer_distribution").contains("UNKNOWN")) << mode;
    }
}

TEST_F(MedXpertQaCli, StandInFolderNeedsTheFlag) {
    const auto run = eval("unflagged", {"--modes", "text-only"});
    EXPECT_EQ(run.exit_code, 2) << run.output;
    EXPECT_NE(run.output.find("--stand-in-images"), std::string::npos) << run.output;
    EXPECT_NE(run.output.find(kStandInMarkerFile), std::string::npos) << run.output;
    EXPECT_FALSE(std::filesystem::exists(*dir_ / "unflagged/predictions.jsonl"));
}

TEST_F(MedXpertQaCli, StandInsNeverOverwriteARealImageFolder) {
    const auto target = testing::make_temp_dir("not-empty");
    testing::write_text(target / "real.jpg", "not a stand-in");
    const auto run = testing::run_medvlm({"make-stand-in-images", "--benchmark", "medxpertqa-mm", "--data",
                                          testing::medxpertqa_records_file().string(), "--out", target.string()});
    EXPECT_EQ(run.exit_code, 2) << run.output;
    EXPECT_NE(run.output.find("never mix with real images"), std::string::npos) << run.output;
    EXPECT_EQ(read_file(target / "real.jpg"), "not a stand-in");
    EXPECT_FALSE(std::filesystem::exists(target / kStandInMarkerFile));
}

}  // namespace
}  // namespace medvlm
