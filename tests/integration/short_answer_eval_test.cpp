// Short-answer evaluation end to end with the real llama.cpp engine and the
// tiny random-weight model: SLAKE English, SLAKE in both languages, and the
// VQA-RAD test rows. The scores are noise; the tests check what is written.

#include <gtest/gtest.h>

#include <map>

#include "core/files.hpp"
#include "engine/llama_engine.hpp"
#include "run/eval_runner.hpp"
#include "support/test_support.hpp"

namespace medvlm {
namespace {

std::unique_ptr<Engine> tiny_engine() {
    return make_llama_engine(testing::tiny_engine_options(testing::tiny_model()));
}

EvalConfig config_for(Benchmark benchmark, const std::string& data_file, const std::string& image_root,
                      const std::string& label) {
    const auto data = testing::shared_data_dir();
    EvalConfig config;
    config.dataset.benchmark = benchmark;
    config.dataset.data_file = data / data_file;
    config.dataset.image_root = data / image_root;
    config.modes = {AblationMode::ImageText};
    config.out_dir = testing::make_temp_dir(label) / "run";
    return config;
}

int64_t slice_total(const nlohmann::json& rows) {
    int64_t total = 0;
    for (const auto& [value, block] : rows.items()) {
        total += block.at("n").get<int64_t>() + block.at("failed").get<int64_t>();
    }
    return total;
}

TEST(ShortAnswerEval, SlakeEnglishWritesMetricsAndSlices) {
    EvalConfig config = config_for(Benchmark::Slake, "slake/test.json", "slake/images", "sa-slake-en");
    config.dataset.limit = 24;
    const Dataset dataset = load_dataset(config.dataset);
    const auto engine = tiny_engine();
    (void)run_eval(config, dataset, *engine);

    const auto manifest = read_json_file(config.out_dir / "manifest.json");
    EXPECT_EQ(manifest.at("decoding").at("max_new_tokens").get<int>(), 16);
    EXPECT_FALSE(manifest.at("metric_definitions").at("number_words").get<bool>());

    const auto summary = read_json_file(config.out_dir / "summary.json");
    const auto& metrics = summary.at("metrics").at("image+text").at("en");
    for (const char* name : {"exact_match", "token_f1", "token_recall", "closed_accuracy", "open_exact_match",
                             "open_token_f1", "open_token_recall"}) {
        EXPECT_TRUE(metrics.contains(name)) << name;
    }
    EXPECT_EQ(metrics.at("n").get<int64_t>() + metrics.at("failed").get<int64_t>(), 24);
    EXPECT_EQ(metrics.at("closed_accuracy").at("n").get<int64_t>() + metrics.at("open_exact_match").at("n").get<int64_t>(),
              metrics.at("n").get<int64_t>());
    EXPECT_EQ(summary.at("metric_definitions"), manifest.at("metric_definitions"));

    const auto& slices = summary.at("slices").at("image+text").at("en");
    for (const char* name : {"answer_type", "content_type", "modality", "location", "base_type", "gold_yes_no"}) {
        ASSERT_TRUE(slices.contains(name)) << name;
        EXPECT_EQ(slice_total(slices.at(name)), 24) << name;
    }

    int64_t truncated = 0;
    for (const auto& prediction : testing::read_jsonl(config.out_dir / "predictions.jsonl")) {
        EXPECT_EQ(prediction.at("metrics").at("language"), "en");
        if (prediction.at("truncated").get<bool>()) {
            ++truncated;
            EXPECT_EQ(prediction.at("generated_tokens").get<int64_t>(), 16) << prediction.at("id");
        }
    }
    EXPECT_EQ(metrics.at("truncated").get<int64_t>(), truncated);

    const std::string report = read_file(config.out_dir / "report.md");
    EXPECT_NE(report.find("| Metric | image+text, English |"), std::string::npos) << report;
    EXPECT_NE(report.find("#### modality"), std::string::npos);
    EXPECT_NE(report.find("| closed_accuracy |"), std::string::npos);
}

TEST(ShortAnswerEval, SlakeLanguagesSideBySide) {
    EvalConfig config = config_for(Benchmark::Slake, "slake/test.json", "slake/images", "sa-slake-all");
    config.dataset.lang = "all";
    Dataset dataset = load_dataset(config.dataset);
    // Eight rows of each language; the file lists all English rows first.
    std::vector<Example> picked;
    std::map<std::string, int> per_language;
    for (const auto& example : dataset.examples) {
        if (per_language[example.fields.at("q_lang")]++ < 8) {
            picked.push_back(example);
        }
    }
    dataset.examples = picked;
    const auto engine = tiny_engine();
    (void)run_eval(config, dataset, *engine);

    const auto summary = read_json_file(config.out_dir / "summary.json");
    const auto& metrics = summary.at("metrics").at("image+text");
    ASSERT_EQ(metrics.size(), 2u) << metrics.dump().substr(0, 300);
    for (const char* language : {"en", "zh"}) {
        EXPECT_EQ(metrics.at(language).at("n").get<int64_t>() + metrics.at(language).at("failed").get<int64_t>(), 8)
            << language;
        EXPECT_EQ(slice_total(summary.at("slices").at("image+text").at(language).at("modality")), 8) << language;
    }
    const std::string report = read_file(config.out_dir / "report.md");
    EXPECT_NE(report.find("| Metric | image+text, English | image+text, Chinese |"), std::string::npos) << report;
    EXPECT_NE(report.find("| modality | n en | n zh |"), std::string::npos) << report;
}

TEST(ShortAnswerEval, VqaRadTestRowsFoldedSlices) {
    // All 391 test rows; text-only with two new tokens keeps the run short.
    EvalConfig config = config_for(Benchmark::VqaRad, "vqa_rad/VQA_RAD_Dataset_Public.test.json", "vqa_rad/images",
                                   "sa-vqa-rad");
    config.modes = {AblationMode::TextOnly};
    config.max_new_tokens = 2;
    const Dataset dataset = load_dataset(config.dataset);
    ASSERT_EQ(dataset.examples.size(), 391u);
    const auto engine = tiny_engine();
    (void)run_eval(config, dataset, *engine);

    const auto summary = read_json_file(config.out_dir / "summary.json");
    const auto& metrics = summary.at("metrics").at("text-only").at("en");
    ASSERT_EQ(metrics.at("failed").get<int64_t>(), 0);
    EXPECT_EQ(metrics.at("closed_accuracy").at("n").get<int64_t>(), 239);
    EXPECT_EQ(metrics.at("open_exact_match").at("n").get<int64_t>(), 152);

    const auto& slices = summary.at("slices").at("text-only").at("en");
    const auto& question_type = slices.at("question_type");
    EXPECT_FALSE(question_type.contains("PRES, POS"));
    EXPECT_EQ(question_type.at("PRES").at("n").get<int64_t>(), 140);
    EXPECT_EQ(question_type.at("POS").at("n").get<int64_t>(), 50);
    EXPECT_EQ(slices.at("phrase_type").at("freeform").at("n").get<int64_t>(), 267);
    EXPECT_EQ(slices.at("phrase_type").at("paraphrase").at("n").get<int64_t>(), 124);
    EXPECT_EQ(slice_total(slices.at("image_organ")), 391);
    EXPECT_EQ(slices.at("answer_type").at("CLOSED").at("n").get<int64_t>(), 239);

    const std::string report = read_file(config.out_dir / "report.md");
    EXPECT_NE(report.find("#### question_type"), std::string::npos);
    EXPECT_NE(report.find("| PRES | 140 |"), std::string::npos) << report;
}

}  // namespace
}  // namespace medvlm
