// `medvlm validate` on the real data, as a user runs it.

#include <gtest/gtest.h>

#include "core/files.hpp"
#include "support/test_support.hpp"

namespace medvlm {
namespace {

TEST(ValidateCli, SlakeEnglishAndChinese) {
    const auto data = testing::shared_data_dir();
    const auto json_path = testing::make_temp_dir("validate") / "telemetry.json";
    const auto english = testing::run_medvlm({"validate", "--benchmark", "slake", "--data", (data / "slake/test.json").string(),
                                              "--image-root", (data / "slake/images").string(), "--json",
                                              json_path.string()});
    ASSERT_EQ(english.exit_code, 0) << english.output;
    const auto telemetry = read_json_file(json_path).at("telemetry");
    EXPECT_EQ(telemetry.at("rows"), 1061);
    EXPECT_EQ(telemetry.at("rows_with_loaded_images"), 1061);
    EXPECT_EQ(telemetry.at("zero_image_rows"), 0);
    EXPECT_EQ(telemetry.at("unique_images"), 96);

    const auto chinese = testing::run_medvlm({"validate", "--benchmark", "slake", "--data",
                                              (data / "slake/test.json").string(), "--image-root",
                                              (data / "slake/images").string(), "--lang", "zh", "--json",
                                              json_path.string()});
    ASSERT_EQ(chinese.exit_code, 0) << chinese.output;
    EXPECT_EQ(read_json_file(json_path).at("telemetry").at("rows"), 1033);
}

TEST(ValidateCli, VqaRadTestSplit) {
    const auto data = testing::shared_data_dir();
    const auto json_path = testing::make_temp_dir("validate") / "telemetry.json";
    const auto result = testing::run_medvlm({"validate", "--benchmark", "vqa-rad", "--data",
                                             (data / "vqa_rad/VQA_RAD_Dataset_Public.test.json").string(),
                                             "--image-root", (data / "vqa_rad/images").string(), "--split", "test",
                                             "--json", json_path.string()});
    ASSERT_EQ(result.exit_code, 0) << result.output;
    const auto telemetry = read_json_file(json_path).at("telemetry");
    EXPECT_EQ(telemetry.at("rows"), 391);
    EXPECT_EQ(telemetry.at("rows_with_loaded_images"), 391);
}

TEST(ValidateCli, MedXpertQaWithEmptyImageRootFails) {
    const auto data = testing::shared_data_dir();
    const auto empty = testing::make_temp_dir("empty-images");
    const auto result = testing::run_medvlm({"validate", "--benchmark", "medxpertqa-mm", "--data",
                                             (data / "medxpertqa_mm/MM_test.sample.jsonl").string(), "--image-root",
                                             empty.string()});
    EXPECT_NE(result.exit_code, 0);
    EXPECT_NE(result.output.find("MM-0-a.jpeg"), std::string::npos) << result.output;
    EXPECT_NE(result.output.find("445 of 445 referenced images"), std::string::npos) << result.output;
}

TEST(ValidateCli, UnknownBenchmarkIsAUsageError) {
    const auto result = testing::run_medvlm({"validate", "--benchmark", "pathvqa", "--data", "x", "--image-root", "y"});
    EXPECT_EQ(result.exit_code, 2);
    EXPECT_NE(result.output.find("unknown benchmark 'pathvqa'"), std::string::npos) << result.output;
}

}  // namespace
}  // namespace medvlm
