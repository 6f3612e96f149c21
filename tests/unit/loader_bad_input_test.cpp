// Hand-made bad inputs: each must stop with a message that names the file,
// the record and the problem, or load with a counted repair.

#include <gtest/gtest.h>

#include <fstream>

#include <opencv2/imgcodecs.hpp>

#include "core/error.hpp"
#include "data/dataset.hpp"
#include "support/test_support.hpp"

namespace medvlm {
namespace {

// A MedXpertQA-MM record in the Hugging Face export layout.
std::string mxqa_record(const std::string& id, const std::string& images_json, const std::string& label = "A",
                        const std::string& images_key = "images") {
    return R"({"id":")" + id +
           R"(","question":"Which finding is shown?\nAnswer Choices: (A) one (B) two (C) three (D) four (E) five","options":{"A":"one","B":"two","C":"three","D":"four","E":"five"},"label":")" +
           label + R"(",")" + images_key + R"(":)" + images_json +
           R"(,"medical_task":"Diagnosis","body_system":"Skeletal","question_type":"Reasoning"})";
}

class BadInputTest : public ::testing::Test {
protected:
    void SetUp() override {
        dir_ = testing::make_temp_dir("bad-input");
        root_ = dir_ / "images";
        std::filesystem::create_directories(root_);
        const cv::Mat pixels(32, 48, CV_8UC3, cv::Scalar(10, 120, 200));
        cv::imwrite((root_ / "ok.png").string(), pixels);
        cv::imwrite((root_ / "ok.jpg").string(), pixels);
    }

    DatasetOptions write_mxqa(const std::string& content) {
        const auto path = dir_ / "records.jsonl";
        testing::write_text(path, content);
        DatasetOptions options;
        options.benchmark = Benchmark::MedXpertQaMm;
        options.data_file = path;
        options.image_root = root_;
        return options;
    }

    // Runs the loader and returns its error message ("" when it loads).
    static std::string load_error(const DatasetOptions& options) {
        try {
            (void)load_dataset(options);
        } catch (const InputError& e) {
            return e.what();
        }
        return "";
    }

    std::filesystem::path dir_;
    std::filesystem::path root_;
};

#define EXPECT_CONTAINS(haystack, needle) \
    EXPECT_NE(std::string(haystack).find(needle), std::string::npos) << "message: " << (haystack)

TEST_F(BadInputTest, ImageKeyInsteadOfImages) {
    const auto message = load_error(write_mxqa(mxqa_record("MM-1", R"(["ok.png"])", "A", "image") + "\n"));
    EXPECT_CONTAINS(message, "records.jsonl: line 1, record id=MM-1");
    EXPECT_CONTAINS(message, "required field 'images' is missing");
    EXPECT_CONTAINS(message, "keys present:");
    EXPECT_CONTAINS(message, "the record has 'image'");
}

TEST_F(BadInputTest, EmptyImageList) {
    const auto message = load_error(write_mxqa(mxqa_record("MM-1", "[]") + "\n"));
    EXPECT_CONTAINS(message, "record id=MM-1");
    EXPECT_CONTAINS(message, "empty list");
}

TEST_F(BadInputTest, ImagesNotAList) {
    const auto message = load_error(write_mxqa(mxqa_record("MM-1", R"("ok.png")") + "\n"));
    EXPECT_CONTAINS(message, "must be a list of file names");
}

TEST_F(BadInputTest, MissingImageFile) {
    const auto message = load_error(write_mxqa(mxqa_record("MM-1", R"(["ok.png"])") + "\n" +
                                               mxqa_record("MM-2", R"(["absent.png"])") + "\n"));
    EXPECT_CONTAINS(message, "line 2, record id=MM-2");
    EXPECT_CONTAINS(message, "'absent.png' not found under --image-root");
    EXPECT_CONTAINS(message, "1 of 2 referenced images are unusable");
}

TEST_F(BadInputTest, PathEscapingRoot) {
    testing::write_text(dir_ / "secret.png", "x");
    EXPECT_CONTAINS(load_error(write_mxqa(mxqa_record("MM-1", R"(["../secret.png"])") + "\n")), "contains '..'");
    EXPECT_CONTAINS(load_error(write_mxqa(mxqa_record("MM-1", R"(["/etc/passwd"])") + "\n")), "absolute path");
}

TEST_F(BadInputTest, LinkLeavingRoot) {
    const cv::Mat pixels(8, 8, CV_8UC3, cv::Scalar(0, 0, 0));
    cv::imwrite((dir_ / "outside.png").string(), pixels);
    std::filesystem::create_symlink(dir_ / "outside.png", root_ / "link.png");
    const auto message = load_error(write_mxqa(mxqa_record("MM-1", R"(["link.png"])") + "\n"));
    EXPECT_CONTAINS(message, "outside --image-root");
}

TEST_F(BadInputTest, DirectoryInsteadOfFile) {
    std::filesystem::create_directories(root_ / "folder.png");
    EXPECT_CONTAINS(load_error(write_mxqa(mxqa_record("MM-1", R"(["folder.png"])") + "\n")), "not a regular file");
}

TEST_F(BadInputTest, CorruptJpeg) {
    testing::write_text(root_ / "corrupt.jpg", std::string("\xFF\xD8\xFF\xE0garbage that is not a jpeg", 30));
    const auto message = load_error(write_mxqa(mxqa_record("MM-1", R"(["corrupt.jpg"])") + "\n"));
    EXPECT_CONTAINS(message, "corrupt.jpg");
    EXPECT_CONTAINS(message, "the file is truncated, corrupt or in another format");
}

TEST_F(BadInputTest, TruncatedPng) {
    const cv::Mat noise(64, 64, CV_8UC3);
    cv::randu(noise, 0, 255);
    std::vector<unsigned char> bytes;
    cv::imencode(".png", noise, bytes);
    testing::write_text(root_ / "truncated.png",
                        std::string(reinterpret_cast<const char*>(bytes.data()), bytes.size() / 2));
    const auto message = load_error(write_mxqa(mxqa_record("MM-1", R"(["truncated.png"])") + "\n"));
    EXPECT_CONTAINS(message, "truncated.png");
}

TEST_F(BadInputTest, ZeroByteImage) {
    testing::write_text(root_ / "empty.png", "");
    EXPECT_CONTAINS(load_error(write_mxqa(mxqa_record("MM-1", R"(["empty.png"])") + "\n")), "0 bytes");
}

TEST_F(BadInputTest, NonUtf8Line) {
    const auto message = load_error(write_mxqa(mxqa_record("MM-1", R"(["ok.png"])") + "\n" +
                                               "{\"id\":\"MM-2\",\"question\":\"caf\xE9\"}\n"));
    EXPECT_CONTAINS(message, "records.jsonl: line 2");
    EXPECT_CONTAINS(message, "invalid UTF-8");
}

TEST_F(BadInputTest, LabelNotAnOption) {
    const auto message = load_error(write_mxqa(mxqa_record("MM-1", R"(["ok.png"])", "F") + "\n"));
    EXPECT_CONTAINS(message, "record id=MM-1");
    EXPECT_CONTAINS(message, "label 'F' is not one of the option letters");
}

TEST_F(BadInputTest, DuplicateIds) {
    const auto message = load_error(write_mxqa(mxqa_record("MM-1", R"(["ok.png"])") + "\n" +
                                               mxqa_record("MM-1", R"(["ok.jpg"])") + "\n"));
    EXPECT_CONTAINS(message, "line 2, record id=MM-1");
    EXPECT_CONTAINS(message, "duplicate id 'MM-1'");
    EXPECT_CONTAINS(message, "first seen at");
}

TEST_F(BadInputTest, SkipInvalidListsEverySkippedRow) {
    auto options = write_mxqa(mxqa_record("MM-1", R"(["ok.png"])") + "\n" + mxqa_record("MM-2", R"(["absent.png"])") +
                              "\n" + mxqa_record("MM-3", R"([])") + "\n");
    options.skip_invalid = true;
    const Dataset dataset = load_dataset(options);
    EXPECT_EQ(dataset.telemetry.rows, 1);
    ASSERT_EQ(dataset.telemetry.skipped_rows.size(), 2u);
    EXPECT_EQ(dataset.telemetry.skipped_rows[0].id, "MM-3");
    EXPECT_EQ(dataset.telemetry.skipped_rows[1].id, "MM-2");
    EXPECT_CONTAINS(dataset.telemetry.skipped_rows[1].reason, "not_found");
}

TEST_F(BadInputTest, AuthorsLayoutLoads) {
    const std::string record =
        R"({"id":"MM-9","question":"Q?","options":[{"letter":"A","content":"one"},{"letter":"B","content":"two"},)"
        R"({"letter":"C","content":"three"},{"letter":"D","content":"four"},{"letter":"E","content":"five"}],)"
        R"("label":["C"],"images":[{"image_path":"ok.png"}],"medical_task":"Diagnosis","body_system":"Other / NA",)"
        R"("question_type":"Understanding"})";
    const Dataset dataset = load_dataset(write_mxqa(record + "\n"));
    ASSERT_EQ(dataset.examples.size(), 1u);
    EXPECT_EQ(dataset.examples[0].answer, "C");
    EXPECT_EQ(dataset.examples[0].choices[2].text, "three");
    EXPECT_TRUE(dataset.examples[0].images[0].loaded);
}

TEST_F(BadInputTest, VqaRadClosedWithTrailingSpace) {
    const auto path = dir_ / "vqa.json";
    testing::write_text(path, R"([
   {"qid": 1, "phrase_type": "test_freeform", "image_name": "ok.png", "question": "Is there a mass?",
    "answer": "no", "answer_type": "CLOSED ", "question_type": "PRES", "image_organ": "CHEST",
    "qid_linked_id": "x", "question_rephrase": "NULL"}
])");
    DatasetOptions options;
    options.benchmark = Benchmark::VqaRad;
    options.data_file = path;
    options.image_root = root_;
    const Dataset dataset = load_dataset(options);
    ASSERT_EQ(dataset.examples.size(), 1u);
    EXPECT_EQ(dataset.examples[0].fields.at("answer_type"), "CLOSED");
    EXPECT_EQ(dataset.telemetry.repairs.at("answer_type_whitespace_trimmed"), 1);
    EXPECT_EQ(dataset.telemetry.repairs.at("null_string_read_as_missing"), 1);
}

TEST_F(BadInputTest, SlakeBomAndCrlfLoad) {
    const auto path = dir_ / "slake.json";
    testing::write_text(path, "\xEF\xBB\xBF[\r\n{\"img_id\": 1, \"img_name\": \"ok.png\", \"question\": \"Is this CT?\", "
                              "\"answer\": \"Yes\", \"q_lang\": \"en\", \"answer_type\": \"CLOSED\", \"qid\": 7}\r\n]\r\n");
    DatasetOptions options;
    options.benchmark = Benchmark::Slake;
    options.data_file = path;
    options.image_root = root_;
    const Dataset dataset = load_dataset(options);
    EXPECT_EQ(dataset.examples.size(), 1u);
    EXPECT_EQ(dataset.telemetry.repairs.at("utf8_bom_removed"), 1);
}

}  // namespace
}  // namespace medvlm
