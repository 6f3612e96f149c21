// Loaders on the real benchmark files. Expected counts were derived from
// the records themselves (see the data folder's README) and are restated
// here so a loader change that drops or adds rows fails loudly.

#include <gtest/gtest.h>

#include <map>

#include "core/error.hpp"
#include "core/files.hpp"
#include "data/dataset.hpp"
#include "data/loaders.hpp"
#include "support/test_support.hpp"

namespace medvlm {
namespace {

DatasetOptions slake_options(const std::string& lang) {
    const auto data = testing::shared_data_dir();
    DatasetOptions options;
    options.benchmark = Benchmark::Slake;
    options.data_file = data / "slake/test.json";
    options.image_root = data / "slake/images";
    options.lang = lang;
    return options;
}

TEST(SlakeLoader, EnglishTestSplit) {
    const Dataset dataset = load_dataset(slake_options("en"));
    const Telemetry& t = dataset.telemetry;
    EXPECT_EQ(t.records_in_file, 2094);
    EXPECT_EQ(t.rows, 1061);
    EXPECT_EQ(t.rows_with_image_filenames, 1061);
    EXPECT_EQ(t.rows_with_loaded_images, 1061);
    EXPECT_EQ(t.zero_image_rows, 0);
    EXPECT_EQ(t.unique_images, 96);
    EXPECT_TRUE(t.skipped_rows.empty());
    for (const auto& example : dataset.examples) {
        ASSERT_EQ(example.fields.at("q_lang"), "en") << example.id;
        ASSERT_TRUE(example.images.at(0).loaded);
        ASSERT_GT(example.images[0].width, 0);
    }
}

TEST(SlakeLoader, ChineseRowsStaySeparate) {
    const Dataset zh = load_dataset(slake_options("zh"));
    EXPECT_EQ(zh.telemetry.rows, 1033);
    for (const auto& example : zh.examples) {
        ASSERT_EQ(example.fields.at("q_lang"), "zh");
    }
    const Dataset all = load_dataset(slake_options("all"));
    EXPECT_EQ(all.telemetry.rows, 2094);
}

TEST(SlakeLoader, AnswerTypesAndClosedNonYesNo) {
    const Dataset dataset = load_dataset(slake_options("en"));
    int closed = 0;
    int closed_not_yes_no = 0;
    for (const auto& example : dataset.examples) {
        if (example.fields.at("answer_type") == "CLOSED") {
            ++closed;
            if (example.answer != "Yes" && example.answer != "No") {
                ++closed_not_yes_no;
            }
        }
    }
    EXPECT_GT(closed, 0);
    EXPECT_GT(closed_not_yes_no, 0) << "SLAKE has CLOSED answers such as 'Lung' that are not yes/no";
}

TEST(VqaRadLoader, TestSplitFromPhraseType) {
    const auto data = testing::shared_data_dir();
    DatasetOptions options;
    options.benchmark = Benchmark::VqaRad;
    options.data_file = data / "vqa_rad/VQA_RAD_Dataset_Public.test.json";
    options.image_root = data / "vqa_rad/images";
    options.split = "test";
    const Dataset dataset = load_dataset(options);
    EXPECT_EQ(dataset.telemetry.rows, 391);
    EXPECT_EQ(dataset.telemetry.rows_with_loaded_images, 391);
    EXPECT_EQ(dataset.telemetry.zero_image_rows, 0);
    int closed = 0;
    int open = 0;
    for (const auto& example : dataset.examples) {
        (example.fields.at("answer_type") == "CLOSED" ? closed : open) += 1;
    }
    EXPECT_EQ(closed, 239);
    EXPECT_EQ(open, 152);
}

TEST(VqaRadLoader, TrainFileRepairs) {
    const auto data = testing::shared_data_dir();
    const std::string content = read_file(data / "vqa_rad/VQA_RAD_Dataset_Public.train.json");
    const ParsedRecords parsed = parse_vqa_rad("train.json", content, ParseOptions{"train", "", false});
    EXPECT_EQ(parsed.examples.size(), 1797u);
    // Two official train records have "CLOSED " and five have integer answers.
    EXPECT_EQ(parsed.repairs.at("answer_type_whitespace_trimmed"), 2);
    EXPECT_EQ(parsed.repairs.at("integer_answer_as_string"), 5);
    EXPECT_GT(parsed.repairs.at("null_string_read_as_missing"), 0);
}

TEST(VqaRadLoader, WrongSplitNamesWhatIsPresent) {
    const auto data = testing::shared_data_dir();
    const std::string content = read_file(data / "vqa_rad/VQA_RAD_Dataset_Public.train.json");
    try {
        (void)parse_vqa_rad("train.json", content, ParseOptions{"test", "", false});
        FAIL() << "expected an error";
    } catch (const InputError& e) {
        EXPECT_NE(std::string(e.what()).find("freeform"), std::string::npos) << e.what();
        EXPECT_NE(std::string(e.what()).find("--split"), std::string::npos) << e.what();
    }
}

TEST(MedXpertQaLoader, RecordsAndLabels) {
    const auto data = testing::shared_data_dir();
    const std::string content = read_file(data / "medxpertqa_mm/MM_test.sample.jsonl");
    const ParsedRecords parsed = parse_medxpertqa_mm("MM_test.sample.jsonl", content, ParseOptions{});
    ASSERT_EQ(parsed.examples.size(), 300u);
    size_t images = 0;
    for (const auto& example : parsed.examples) {
        ASSERT_EQ(example.choices.size(), 5u);
        ASSERT_FALSE(example.images.empty());
        images += example.images.size();
    }
    EXPECT_EQ(images, 445u);
    EXPECT_EQ(parsed.examples[0].id, "MM-0");
    EXPECT_EQ(parsed.examples[0].answer, "A");
    EXPECT_EQ(parsed.examples[0].images[1].name, "MM-0-b.jpeg");
}

TEST(MedXpertQaLoader, EmptyImageRootNamesFirstMissingImage) {
    const auto data = testing::shared_data_dir();
    DatasetOptions options;
    options.benchmark = Benchmark::MedXpertQaMm;
    options.data_file = data / "medxpertqa_mm/MM_test.sample.jsonl";
    options.image_root = testing::make_temp_dir("empty-root");
    try {
        (void)load_dataset(options);
        FAIL() << "expected an error";
    } catch (const InputError& e) {
        const std::string message = e.what();
        EXPECT_NE(message.find("MM-0-a.jpeg"), std::string::npos) << message;
        EXPECT_NE(message.find("445 of 445"), std::string::npos) << message;
        EXPECT_NE(message.find("record id=MM-0"), std::string::npos) << message;
    }
}

}  // namespace
}  // namespace medvlm
