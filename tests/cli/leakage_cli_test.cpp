// `medvlm leakage` on the real SLAKE and VQA-RAD files. The expected
// counts are derived here from the records themselves: image names read
// from the JSON, file contents hashed, questions normalized with the
// scoring normalization.

#include <gtest/gtest.h>

#include <map>
#include <set>

#include "core/files.hpp"
#include "core/sha256.hpp"
#include "scoring/normalize.hpp"
#include "support/test_support.hpp"

namespace medvlm {
namespace {

namespace fs = std::filesystem;

struct Record {
    std::string image;
    std::string question;
    std::string lang;
};

std::vector<Record> read_records(const fs::path& file, const char* image_key) {
    std::vector<Record> records;
    for (const auto& row : read_json_file(file)) {
        records.push_back({row.at(image_key).get<std::string>(), row.at("question").get<std::string>(),
                           row.contains("q_lang") ? row.at("q_lang").get<std::string>() : "en"});
    }
    return records;
}

const nlohmann::json& split_named(const nlohmann::json& report, const std::string& label) {
    for (const auto& split : report.at("eval_splits")) {
        if (split.at("eval_source") == label) {
            return split;
        }
    }
    throw std::runtime_error("eval split " + label + " missing from leakage.json");
}

TEST(LeakageCli, SlakeCrossLanguageImageReuse) {
    const fs::path data = testing::shared_data_dir() / "slake";
    const fs::path out = testing::make_temp_dir("leakage-slake");
    const std::string images = ",images=" + (data / "images").string();
    const std::string test = "benchmark=slake,data=" + (data / "test.json").string() + images;
    const auto result = testing::run_medvlm({"leakage", "--train",
                                             "benchmark=slake,data=" + (data / "train.json").string() + images,
                                             "--eval", test, test + ",lang=en", test + ",lang=zh", "--out",
                                             out.string(), "--max-pairs-per-check", "100"});
    ASSERT_EQ(result.exit_code, 0) << result.output;

    // Independent derivation: test images (by name, and by file hash)
    // that train records also use.
    const auto train = read_records(data / "train.json", "img_name");
    const auto test_records = read_records(data / "test.json", "img_name");
    std::set<std::string> train_names;
    std::set<std::string> train_hashes;
    for (const auto& record : train) {
        train_names.insert(record.image);
    }
    for (const auto& name : train_names) {
        train_hashes.insert(sha256_file(data / "images" / name));
    }
    std::map<std::string, std::set<std::string>> test_names;  // lang -> names
    for (const auto& record : test_records) {
        test_names[record.lang].insert(record.image);
        test_names["all"].insert(record.image);
    }

    const auto report = read_json_file(out / "leakage.json");
    for (const std::string lang : {"all", "en", "zh"}) {
        size_t by_name = 0;
        size_t by_content = 0;
        for (const auto& name : test_names[lang]) {
            by_name += train_names.contains(name) ? 1 : 0;
            by_content += train_hashes.contains(sha256_file(data / "images" / name)) ? 1 : 0;
        }
        const auto& split = split_named(report, "slake:test:" + lang);
        EXPECT_EQ(split.at("image_names"), test_names[lang].size()) << lang;
        EXPECT_EQ(split.at("checks").at("image_name").at("eval_images"), by_name) << lang;
        EXPECT_EQ(split.at("checks").at("image_file_sha256").at("eval_images"), by_content) << lang;
    }
    // The same counts as numbers: 142 of the 180 test images are in train.
    // 72 of the 96 English test images occur in the Chinese train records,
    // and 70 of the 96 Chinese test images in the English ones, because
    // SLAKE's splits are image-disjoint only within a language.
    EXPECT_EQ(split_named(report, "slake:test:all").at("checks").at("image_name").at("eval_images"), 142);
    EXPECT_EQ(split_named(report, "slake:test:en").at("checks").at("image_file_sha256").at("eval_images"), 72);
    EXPECT_EQ(split_named(report, "slake:test:zh").at("checks").at("image_file_sha256").at("eval_images"), 70);

    // Within one language there is no reuse: English train against English test.
    std::set<std::string> english_train;
    for (const auto& record : train) {
        if (record.lang == "en") {
            english_train.insert(record.image);
        }
    }
    size_t english_overlap = 0;
    for (const auto& name : test_names["en"]) {
        english_overlap += english_train.contains(name) ? 1 : 0;
    }
    EXPECT_EQ(english_overlap, 0u);

    const std::string md = read_file(out / "leakage.md");
    // 10 more test images are not in train but are near-identical slices of
    // train images (pHash), so 152 in all.
    EXPECT_NE(md.find("| slake:test:all | 152 / 180 (84.4 %) | 142 | 142 | 0 |"), std::string::npos) << md;
    EXPECT_NE(md.find("| slake:test:en |"), std::string::npos);
    // Listing is capped, totals are not.
    for (const auto& check : report.at("checks")) {
        EXPECT_LE(check.at("pairs_listed").get<size_t>(), 100u);
    }
}

TEST(LeakageCli, VqaRadTestImagesReusedByTrain) {
    const fs::path data = testing::shared_data_dir() / "vqa_rad";
    const fs::path out = testing::make_temp_dir("leakage-rad");
    const std::string images = ",images=" + (data / "images").string();
    const auto result = testing::run_medvlm(
        {"leakage", "--train",
         "benchmark=vqa-rad,split=train,data=" + (data / "VQA_RAD_Dataset_Public.train.json").string() + images,
         "--eval", "benchmark=vqa-rad,data=" + (data / "VQA_RAD_Dataset_Public.test.json").string() + images,
         "--out", out.string(), "--threads", "2"});
    ASSERT_EQ(result.exit_code, 0) << result.output;

    const auto train = read_records(data / "VQA_RAD_Dataset_Public.train.json", "image_name");
    const auto test = read_records(data / "VQA_RAD_Dataset_Public.test.json", "image_name");
    std::map<std::string, size_t> train_per_image;
    std::map<std::string, size_t> train_per_question;
    for (const auto& record : train) {
        ++train_per_image[record.image];
        ++train_per_question[normalize_answer(record.question, NormalizeOptions{})];
    }
    std::set<std::string> test_images;
    std::set<std::string> reused;
    size_t image_pairs = 0;
    size_t question_pairs = 0;
    size_t test_records_on_reused = 0;
    for (const auto& record : test) {
        test_images.insert(record.image);
        if (train_per_image.contains(record.image)) {
            reused.insert(record.image);
            image_pairs += train_per_image[record.image];
            ++test_records_on_reused;
        }
        question_pairs += train_per_question[normalize_answer(record.question, NormalizeOptions{})];
    }
    // In these files every one of the 182 test images is also used by
    // train records (202 of 203 in the full official test split).
    EXPECT_EQ(test_images.size(), 182u);
    EXPECT_EQ(reused.size(), 182u);

    const auto report = read_json_file(out / "leakage.json");
    const auto& split = split_named(report, "vqa-rad:test");
    EXPECT_EQ(split.at("image_names_any_image_check"), reused.size());
    EXPECT_EQ(split.at("checks").at("image_name").at("eval_images"), reused.size());
    EXPECT_EQ(split.at("checks").at("image_file_sha256").at("eval_images"), reused.size());
    EXPECT_EQ(split.at("checks").at("image_file_sha256").at("eval_records"), test_records_on_reused);
    EXPECT_EQ(split.at("checks").at("image_file_sha256").at("pairs"), image_pairs);
    EXPECT_EQ(split.at("checks").at("question_exact").at("pairs"), question_pairs);

    // The pair list is complete and agrees with the totals.
    std::map<std::string, size_t> listed;
    for (const auto& pair : report.at("pairs")) {
        ++listed[pair.at("check").get<std::string>()];
        ASSERT_TRUE(pair.contains("train_id"));
        ASSERT_TRUE(pair.contains("eval_id"));
        ASSERT_TRUE(pair.contains("distance"));
    }
    for (const auto& check : report.at("checks")) {
        EXPECT_EQ(listed[check.at("check").get<std::string>()], check.at("pairs").get<size_t>()) << check.dump();
    }

    const std::string md = read_file(out / "leakage.md");
    EXPECT_NE(md.find("| vqa-rad:test | 182 / 182 (100.0 %) | 182 | 182 | 0 | 0 | 391 / 391 (100.0 %) |"),
              std::string::npos)
        << md;
}

TEST(LeakageCli, InvalidSpecIsAUsageError) {
    const auto result = testing::run_medvlm({"leakage", "--train", "benchmark=slake,data=x.json", "--eval",
                                             "benchmark=slake,data=y.json,images=z", "--out",
                                             testing::make_temp_dir("leakage-bad").string()});
    EXPECT_EQ(result.exit_code, 2);
    EXPECT_NE(result.output.find("missing 'images=DIR'"), std::string::npos) << result.output;
}

}  // namespace
}  // namespace medvlm
