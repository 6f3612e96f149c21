// Loading SPECs: the generic and instruction JSONL formats and the
// benchmark loaders behind one interface, with strict errors.

#include <gtest/gtest.h>

#include "core/error.hpp"
#include "sources/generic_records.hpp"
#include "sources/source.hpp"
#include "support/test_support.hpp"

namespace medvlm {
namespace {

std::string load_error(const SourceSpec& spec, bool skip_invalid = false) {
    try {
        (void)load_source(spec, SourceLoadOptions{skip_invalid});
    } catch (const InputError& e) {
        return e.what();
    }
    return "";
}

TEST(GenericRecords, ShortAnswerMultipleChoiceAndCaption) {
    const std::string content =
        "{\"id\": \"a\", \"images\": [\"x.png\"], \"question\": \"Is there a mass?\", \"answer\": \"Yes\"}\n"
        "\n"
        "{\"id\": 7, \"images\": [\"y.png\", \"z.png\"], \"question\": \"Diagnosis?\", \"answer\": \"B\", "
        "\"options\": [\"Flu\", \"Pneumonia\", \"Asthma\"], \"caption\": \"chest film\", \"fields\": {\"modality\": "
        "\"X-Ray\"}}\r\n";
    const GenericRecords parsed = parse_generic_records("g.jsonl", content, true, false);
    ASSERT_EQ(parsed.records.size(), 2u);
    EXPECT_EQ(parsed.records_read, 2u);
    EXPECT_EQ(parsed.records[0].id, "a");
    EXPECT_TRUE(parsed.records[0].choices.empty());
    EXPECT_EQ(parsed.records[1].id, "7");
    ASSERT_EQ(parsed.records[1].choices.size(), 3u);
    EXPECT_EQ(parsed.records[1].choices[2].letter, "C");
    EXPECT_EQ(parsed.records[1].answer_text(), "Pneumonia");
    EXPECT_EQ(parsed.records[1].images.size(), 2u);
    EXPECT_EQ(parsed.records[1].fields.at("caption"), "chest film");
    EXPECT_EQ(parsed.records[1].fields.at("modality"), "X-Ray");
    EXPECT_EQ(parsed.repairs.at("crlf_line_endings"), 1);
    EXPECT_EQ(parsed.records[1].location, "g.jsonl: line 3, record id=7");
}

TEST(GenericRecords, InvalidRecordsNameLineAndFix) {
    const auto error_of = [](const std::string& line, bool images_required = true) {
        try {
            (void)parse_generic_records("g.jsonl", line, images_required, false);
        } catch (const InputError& e) {
            return std::string(e.what());
        }
        return std::string();
    };
    EXPECT_NE(error_of("{\"id\": 1, \"image\": [\"x\"], \"question\": \"q\", \"answer\": \"a\"}")
                  .find("stored under 'images'"),
              std::string::npos);
    EXPECT_NE(error_of("{\"id\": 1, \"images\": [], \"question\": \"q\", \"answer\": \"a\"}").find("benchmark=instruction"),
              std::string::npos);
    EXPECT_NE(error_of("{\"id\": 1, \"images\": [\"x\"], \"question\": \"q\", \"answer\": \"E\", \"options\": "
                       "[\"a\", \"b\"]}")
                  .find("not one of the option letters A-B"),
              std::string::npos);
    EXPECT_NE(error_of("{\"id\": 1, \"images\": [\"x\"], \"question\": \" \", \"answer\": \"a\"}").find("'question' is empty"),
              std::string::npos);
    const std::string twice = "{\"id\": 1, \"images\": [\"x\"], \"question\": \"q\", \"answer\": \"a\"}\n"
                              "{\"id\": \"1\", \"images\": [\"x\"], \"question\": \"q\", \"answer\": \"a\"}\n";
    EXPECT_NE(error_of(twice).find("line 2, record id=1: duplicate id '1'"), std::string::npos) << error_of(twice);
    EXPECT_NE(error_of("{not json}").find("g.jsonl: line 1: invalid JSON"), std::string::npos);
    EXPECT_EQ(error_of("{\"id\": 1, \"question\": \"q\", \"answer\": \"a\"}", false), "");
}

TEST(GenericRecords, SkipInvalidListsRecords) {
    const std::string content = "{\"id\": 1, \"images\": [\"x\"], \"question\": \"q\", \"answer\": \"a\"}\n"
                                "{\"id\": 2, \"images\": [\"x\"], \"question\": \"q\"}\n";
    const GenericRecords parsed = parse_generic_records("g.jsonl", content, true, true);
    EXPECT_EQ(parsed.records.size(), 1u);
    ASSERT_EQ(parsed.skipped.size(), 1u);
    EXPECT_EQ(parsed.skipped[0].id, "2");
    EXPECT_NE(parsed.skipped[0].reason.find("'answer' is missing"), std::string::npos);
}

TEST(LoadSource, MissingImageStopsWithRecordAndCounts) {
    const auto dir = testing::make_temp_dir("source");
    testing::write_text(dir / "g.jsonl",
                        "{\"id\": \"a\", \"images\": [\"missing.png\"], \"question\": \"q\", \"answer\": \"x\"}\n"
                        "{\"id\": \"b\", \"images\": [\"missing.png\"], \"question\": \"q\", \"answer\": \"y\"}\n");
    std::filesystem::create_directories(dir / "images");
    const SourceSpec spec = parse_source_spec("benchmark=generic,data=" + (dir / "g.jsonl").string() +
                                              ",images=" + (dir / "images").string());
    const std::string error = load_error(spec);
    EXPECT_NE(error.find("record id=a"), std::string::npos) << error;
    EXPECT_NE(error.find("'missing.png' not found"), std::string::npos) << error;
    EXPECT_NE(error.find("1 of 1 image names cannot be used, affecting 2 of 2 records"), std::string::npos) << error;

    const Source kept = load_source(spec, SourceLoadOptions{true});
    ASSERT_EQ(kept.records.size(), 2u);
    EXPECT_FALSE(kept.records[0].images_usable());
    EXPECT_EQ(kept.split, "unspecified");
    EXPECT_EQ(kept.label, "generic:unspecified");
}

TEST(LoadSource, VqaRadTrainAndSlakeLanguages) {
    const auto data = testing::shared_data_dir();
    const Source rad = load_source(parse_source_spec("benchmark=vqa-rad,data=" +
                                                     (data / "vqa_rad/VQA_RAD_Dataset_Public.train.json").string() +
                                                     ",images=" + (data / "vqa_rad/images").string() + ",split=train"),
                                   SourceLoadOptions{});
    EXPECT_EQ(rad.records.size(), 1797u);
    EXPECT_EQ(rad.label, "vqa-rad:train");
    EXPECT_TRUE(rad.records[0].images[0].path.is_absolute());

    const Source slake = load_source(parse_source_spec("benchmark=slake,data=" + (data / "slake/test.json").string() +
                                                       ",images=" + (data / "slake/images").string()),
                                     SourceLoadOptions{});
    EXPECT_EQ(slake.records.size(), 2094u);  // 1,061 en + 1,033 zh
    EXPECT_EQ(slake.label, "slake:test:all");
}

TEST(LoadSource, DuplicateLabelsAreRejected) {
    const auto data = testing::shared_data_dir();
    const std::string spec = "benchmark=vqa-rad,data=" + (data / "vqa_rad/VQA_RAD_Dataset_Public.test.json").string() +
                             ",images=" + (data / "vqa_rad/images").string();
    try {
        (void)load_sources({parse_source_spec(spec), parse_source_spec(spec)}, SourceLoadOptions{});
        FAIL() << "expected an InputError";
    } catch (const InputError& e) {
        EXPECT_NE(std::string(e.what()).find("same label 'vqa-rad:test'"), std::string::npos) << e.what();
    }
    const auto sources = load_sources({parse_source_spec(spec), parse_source_spec(spec + ",name=again")},
                                      SourceLoadOptions{});
    EXPECT_EQ(sources[1].label, "again");
}

}  // namespace
}  // namespace medvlm
