// `medvlm curriculum` on the real VQA-RAD files: no test image reaches any
// stage (checked by hashing every image a stage names), drops are counted
// per reason, empty stages say why, and the trainer exports load with the
// fields each trainer reads.

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

struct RadFiles {
    fs::path data = testing::shared_data_dir() / "vqa_rad";
    std::string images = ",images=" + (data / "images").string();
    std::string train = "benchmark=vqa-rad,split=train,data=" + (data / "VQA_RAD_Dataset_Public.train.json").string() +
                        images;
    std::string test = "benchmark=vqa-rad,data=" + (data / "VQA_RAD_Dataset_Public.test.json").string() + images;
};

std::set<std::string> test_image_hashes(const RadFiles& files) {
    std::set<std::string> hashes;
    for (const auto& record : read_json_file(files.data / "VQA_RAD_Dataset_Public.test.json")) {
        hashes.insert(sha256_file(files.data / "images" / record.at("image_name").get<std::string>()));
    }
    return hashes;
}

size_t count_tags(const std::string& text) {
    size_t count = 0;
    for (size_t pos = text.find("<image>"); pos != std::string::npos; pos = text.find("<image>", pos + 1)) {
        ++count;
    }
    return count;
}

void expect_chat(const nlohmann::json& messages, bool tags, size_t images) {
    ASSERT_TRUE(messages.is_array());
    ASSERT_EQ(messages.size(), 2u);
    EXPECT_EQ(messages[0].at("role"), "user");
    EXPECT_EQ(messages[1].at("role"), "assistant");
    ASSERT_TRUE(messages[0].at("content").is_string());
    ASSERT_TRUE(messages[1].at("content").is_string());
    EXPECT_FALSE(messages[1].at("content").get<std::string>().empty());
    EXPECT_EQ(count_tags(messages[0].at("content").get<std::string>()), tags ? images : 0u);
}

void expect_images_exist(const nlohmann::json& images) {
    ASSERT_TRUE(images.is_array());
    for (const auto& image : images) {
        EXPECT_TRUE(fs::is_regular_file(image.get<std::string>())) << image;
    }
}

// Each export matches its stage file sample for sample.
void check_exports(const fs::path& out, int stage, size_t samples) {
    const fs::path exports = out / "exports";
    const std::string name = "stage" + std::to_string(stage);

    const auto sharegpt = read_json_file(exports / "llama-factory" / (name + ".json"));
    ASSERT_TRUE(sharegpt.is_array());
    ASSERT_EQ(sharegpt.size(), samples);
    for (const auto& row : sharegpt) {
        expect_images_exist(row.at("images"));
        expect_chat(row.at("messages"), true, row.at("images").size());
    }
    const auto info = read_json_file(exports / "llama-factory/dataset_info.json");
    if (samples > 0) {
        const auto& entry = info.at("medvlm_" + name);
        EXPECT_EQ(entry.at("formatting"), "sharegpt");
        EXPECT_EQ(entry.at("columns").at("messages"), "messages");
        EXPECT_EQ(entry.at("columns").at("images"), "images");
        EXPECT_EQ(entry.at("tags").at("user_tag"), "user");
        EXPECT_TRUE(fs::is_regular_file(exports / "llama-factory" / entry.at("file_name").get<std::string>()));
    } else {
        EXPECT_FALSE(info.contains("medvlm_" + name));
    }

    const auto swift = testing::read_jsonl(exports / "ms-swift" / (name + ".jsonl"));
    ASSERT_EQ(swift.size(), samples);
    for (const auto& row : swift) {
        expect_images_exist(row.at("images"));
        expect_chat(row.at("messages"), true, row.at("images").size());
    }

    const auto mlx = testing::read_jsonl(exports / "mlx-vlm" / name / "train.jsonl");
    ASSERT_EQ(mlx.size(), samples);
    for (const auto& row : mlx) {
        expect_images_exist(row.at("images"));
        expect_chat(row.at("messages"), false, row.at("images").size());
    }
}

TEST(CurriculumCli, VqaRadTrainWithoutTestImages) {
    const RadFiles files;
    const fs::path out = testing::make_temp_dir("curriculum-rad");
    const auto result = testing::run_medvlm({"curriculum", "--from", files.train, "--exclude", files.test, "--out",
                                             out.string()});
    ASSERT_EQ(result.exit_code, 0) << result.output;

    // Zero test images in any stage, by the SHA-256 of the file each
    // sample names; and the recorded hash is the file's.
    const std::set<std::string> test_hashes = test_image_hashes(files);
    ASSERT_EQ(test_hashes.size(), 182u);
    std::map<int, std::vector<nlohmann::json>> stages;
    size_t images_checked = 0;
    for (int stage = 1; stage <= 4; ++stage) {
        const fs::path file = out / ("stage" + std::to_string(stage) + ".jsonl");
        ASSERT_TRUE(fs::is_regular_file(file)) << file;
        stages[stage] = testing::read_jsonl(file);
        for (const auto& sample : stages[stage]) {
            ASSERT_EQ(sample.at("images").size(), sample.at("image_sha256").size());
            for (size_t i = 0; i < sample.at("images").size(); ++i) {
                const std::string hash = sha256_file(sample.at("images")[i].get<std::string>());
                EXPECT_EQ(hash, sample.at("image_sha256")[i]);
                EXPECT_FALSE(test_hashes.contains(hash)) << sample.at("id");
                ++images_checked;
            }
        }
    }
    EXPECT_GT(images_checked, 1000u);
    EXPECT_FALSE(stages[1].empty());
    EXPECT_FALSE(stages[2].empty());
    EXPECT_TRUE(stages[3].empty());
    EXPECT_TRUE(stages[4].empty());

    // Drops, derived from the records: train records on a test image, and
    // train records whose normalized question a test record repeats.
    std::set<std::string> test_images;
    std::set<std::string> test_questions;
    for (const auto& record : read_json_file(files.data / "VQA_RAD_Dataset_Public.test.json")) {
        test_images.insert(record.at("image_name").get<std::string>());
        test_questions.insert(normalize_answer(record.at("question").get<std::string>(), NormalizeOptions{}));
    }
    size_t on_test_image = 0;
    size_t repeated_question = 0;
    size_t either = 0;
    size_t records = 0;
    for (const auto& record : read_json_file(files.data / "VQA_RAD_Dataset_Public.train.json")) {
        const bool image = test_images.contains(record.at("image_name").get<std::string>());
        const bool question =
            test_questions.contains(normalize_answer(record.at("question").get<std::string>(), NormalizeOptions{}));
        on_test_image += image ? 1 : 0;
        repeated_question += question ? 1 : 0;
        either += image || question ? 1 : 0;
        ++records;
    }
    const auto summary = read_json_file(out / "curriculum.json");
    const auto& drops = summary.at("drops");
    EXPECT_EQ(drops.at("records"), records);
    EXPECT_EQ(drops.at("by_reason").at("image_file_sha256"), on_test_image);
    EXPECT_EQ(drops.at("by_reason").at("image_name"), on_test_image);
    EXPECT_EQ(drops.at("by_reason").at("question_exact"), repeated_question);
    // The other checks can only add records: near-duplicate questions.
    const size_t dropped = drops.at("dropped").get<size_t>();
    EXPECT_GE(dropped, either);
    EXPECT_LE(dropped, either + drops.at("by_reason").value("question_near_duplicate", size_t{0}));
    EXPECT_EQ(drops.at("kept").get<size_t>(), records - dropped);
    EXPECT_EQ(testing::read_jsonl(out / "dropped.jsonl").size(), dropped);

    // Stage 2 holds every kept record with its canonical answer.
    EXPECT_EQ(stages[2].size(), drops.at("kept").get<size_t>());
    for (const auto& sample : stages[2]) {
        const std::string answer = sample.at("answer");
        EXPECT_NE(answer, "Yes");
        EXPECT_NE(answer, "No");
        EXPECT_NE(sample.at("prompt").get<std::string>().find("Question: "), std::string::npos);
    }

    const auto& stage_summaries = summary.at("stages");
    EXPECT_EQ(stage_summaries.at(0).at("samples"), stages[1].size());
    EXPECT_NE(stage_summaries.at(2).at("empty_reason").get<std::string>().find("no multiple-choice source"),
              std::string::npos);
    EXPECT_NE(stage_summaries.at(3).at("empty_reason").get<std::string>().find("no instruction samples"),
              std::string::npos);
    EXPECT_NE(result.output.find("stage3.jsonl: empty (no multiple-choice source"), std::string::npos)
        << result.output;
    EXPECT_EQ(summary.at("exclude_check").at("stage_images_matching_exclude_file_sha256"), 0);
    EXPECT_EQ(summary.at("exclude_check").at("stage_images_matching_exclude_pixel_sha256"), 0);

    for (int stage = 1; stage <= 4; ++stage) {
        check_exports(out, stage, stages[stage].size());
    }
    EXPECT_TRUE(fs::is_regular_file(out / "leakage.md"));
}

// All four stages: VQA-RAD train, generic multiple-choice records and
// instruction samples, one of which repeats a test question.
TEST(CurriculumCli, AllFourStagesWithReplayMix) {
    const RadFiles files;
    const fs::path out = testing::make_temp_dir("curriculum-all");
    const fs::path inputs = testing::make_temp_dir("curriculum-inputs");

    // Multiple-choice records on train-only images.
    std::set<std::string> test_images;
    for (const auto& record : read_json_file(files.data / "VQA_RAD_Dataset_Public.test.json")) {
        test_images.insert(record.at("image_name").get<std::string>());
    }
    std::vector<std::string> train_only;
    for (const auto& record : read_json_file(files.data / "VQA_RAD_Dataset_Public.train.json")) {
        const std::string image = record.at("image_name");
        if (!test_images.contains(image) &&
            std::find(train_only.begin(), train_only.end(), image) == train_only.end()) {
            train_only.push_back(image);
        }
    }
    ASSERT_GE(train_only.size(), 20u);
    std::string choices;
    for (size_t i = 0; i < 20; ++i) {
        choices += nlohmann::json({{"id", "mc" + std::to_string(i)},
                                   {"images", {train_only[i]}},
                                   {"question", "Case " + std::to_string(i) + ": which finding is most likely?"},
                                   {"options", {"Pneumothorax", "Pleural effusion", "Cardiomegaly", "Normal study"}},
                                   {"answer", std::string(1, static_cast<char>('A' + i % 4))}})
                       .dump() +
                   "\n";
    }
    testing::write_text(inputs / "choices.jsonl", choices);

    // Instruction samples: text only, one with an image, one that repeats
    // a VQA-RAD test question and must be dropped.
    const auto test_records = read_json_file(files.data / "VQA_RAD_Dataset_Public.test.json");
    const std::string test_question = test_records.at(0).at("question");
    std::string instructions;
    for (int i = 0; i < 30; ++i) {
        instructions += nlohmann::json({{"id", "chat" + std::to_string(i)},
                                        {"question", "Explain term number " + std::to_string(i) + " in plain words."},
                                        {"answer", "An explanation."}})
                            .dump() +
                        "\n";
    }
    instructions += nlohmann::json({{"id", "chat-image"}, {"images", {train_only[0]}},
                                    {"question", "Describe this image for a student."},
                                    {"answer", "A radiograph."}})
                        .dump() +
                    "\n";
    instructions += nlohmann::json({{"id", "chat-leak"}, {"question", test_question}, {"answer", "yes"}}).dump() + "\n";
    testing::write_text(inputs / "instructions.jsonl", instructions);

    const auto result = testing::run_medvlm(
        {"curriculum", "--from", files.train,
         "benchmark=generic,data=" + (inputs / "choices.jsonl").string() + files.images,
         "benchmark=instruction,data=" + (inputs / "instructions.jsonl").string() + files.images, "--exclude",
         files.test, "--out", out.string(), "--mix", "stage1=1,stage2=2,stage3=1,instruction=1", "--seed", "5"});
    ASSERT_EQ(result.exit_code, 0) << result.output;

    const auto stage3 = testing::read_jsonl(out / "stage3.jsonl");
    ASSERT_EQ(stage3.size(), 20u);
    EXPECT_EQ(stage3[1].at("answer"), "Final answer: B");
    EXPECT_NE(stage3[1].at("prompt").get<std::string>().find("(B) Pleural effusion"), std::string::npos);
    EXPECT_EQ(stage3[1].at("task"), "multiple_choice");

    // Stage 4 proportions are 1/5, 2/5, 1/5, 1/5. The smallest pool for its
    // share is stage 3 (20 samples at 1/5), so the replay holds 100
    // samples: 20 from stage 1, 40 from stage 2, 20 from stage 3 and 20 of
    // the 31 kept instruction samples.
    const auto stage4 = testing::read_jsonl(out / "stage4.jsonl");
    ASSERT_EQ(stage4.size(), 100u);
    std::map<int, size_t> origin;
    std::set<std::string> ids;
    for (const auto& sample : stage4) {
        EXPECT_EQ(sample.at("stage"), 4);
        ids.insert(sample.at("id").get<std::string>());
        ++origin[sample.value("replay_of_stage", 0)];
        EXPECT_NE(sample.at("id"), "replay:instruction:unspecified:chat-leak");
    }
    EXPECT_EQ(ids.size(), stage4.size());
    EXPECT_EQ(origin[1], 20u);
    EXPECT_EQ(origin[2], 40u);
    EXPECT_EQ(origin[3], 20u);
    EXPECT_EQ(origin[0], 20u);

    const auto summary = read_json_file(out / "curriculum.json");
    const auto& by_source = summary.at("drops").at("by_source");
    EXPECT_EQ(by_source.at("instruction:unspecified").at("dropped"), 1);
    EXPECT_EQ(by_source.at("generic:unspecified").at("dropped"), 0);
    EXPECT_EQ(summary.at("replay").at("size"), 100);
    EXPECT_FALSE(summary.at("stages").at(3).contains("empty_reason"));

    for (int stage = 1; stage <= 4; ++stage) {
        check_exports(out, stage, testing::read_jsonl(out / ("stage" + std::to_string(stage) + ".jsonl")).size());
    }
}

TEST(CurriculumCli, ExcludeIsRequired) {
    const RadFiles files;
    const auto result = testing::run_medvlm({"curriculum", "--from", files.train, "--out",
                                             testing::make_temp_dir("curriculum-none").string()});
    EXPECT_EQ(result.exit_code, 2);
    EXPECT_NE(result.output.find("--exclude"), std::string::npos) << result.output;
}

}  // namespace
}  // namespace medvlm
