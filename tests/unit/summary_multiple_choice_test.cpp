// The multiple-choice summary on hand-made predictions whose every number
// is worked out in the comments: rotation statistics, letter bias,
// baselines, the image canary, slices and the report built from them.

#include <gtest/gtest.h>

#include "prompts/prompt_builder.hpp"
#include "report/report_markdown.hpp"
#include "report/report_multiple_choice.hpp"
#include "report/summary_multiple_choice.hpp"
#include "report/work_summary.hpp"
#include "run/scorer.hpp"

namespace medvlm {
namespace {

Example make_example(const std::string& id, const std::string& answer, size_t images, const std::string& task,
                     const std::string& body_system) {
    Example example;
    example.id = id;
    example.benchmark = Benchmark::MedXpertQaMm;
    example.question = "Question " + id + "?";
    example.choices = {{"A", "alpha"}, {"B", "beta"}, {"C", "gamma"}, {"D", "delta"}, {"E", "epsilon"}};
    example.answer = answer;
    for (size_t i = 0; i < images; ++i) {
        example.images.push_back({id + "-" + std::to_string(i) + ".png", {}, id + std::to_string(i), 8, 8, true});
    }
    example.fields["medical_task"] = task;
    if (!body_system.empty()) {
        example.fields["body_system"] = body_system;
    }
    example.fields["question_type"] = "Reasoning";
    return example;
}

// Rows r1..r4 with gold A, B, E, E and 1, 2, 3, 1 images; r4 has no
// body_system.
Dataset make_dataset() {
    Dataset dataset;
    dataset.examples = {make_example("r1", "A", 1, "Diagnosis", "Skeletal"),
                        make_example("r2", "B", 2, "Treatment", "Cardiovascular"),
                        make_example("r3", "E", 3, "Diagnosis", "Skeletal"),
                        make_example("r4", "E", 1, "Diagnosis", "")};
    return dataset;
}

nlohmann::json make_manifest(int rotations, const std::vector<std::string>& modes) {
    return {{"benchmark", "medxpertqa-mm"},
            {"task", "multiple-choice"},
            {"protocol", {{"modes", modes}, {"rotations", rotations}, {"scoring", "generate"}}},
            {"data",
             {{"stand_in_images", false}, {"split", "test"}, {"lang", ""}, {"file", "MM_test.jsonl"}, {"sha256", "ab12cd34ef56ab78"}}},
            {"decoding", {{"max_new_tokens", 8}}},
            {"medvlm", {{"version", "0.1.0"}, {"git_commit", "unknown"}}},
            {"engine", {{"test_model", false}, {"kind", "llama"}, {"model", "model.gguf"}}}};
}

// Scores a reply through the real scorer, so the rotation mapping is the
// one a run uses.
Prediction predict(const Example& example, AblationMode mode, int rotation, const std::string& reply, bool ok = true) {
    const BuiltPrompt prompt = build_prompt(example, mode, rotation, PromptTexts::defaults(), false);
    EngineRequest request;
    request.choice_letters = prompt.letters;
    EngineResult result;
    result.ok = ok;
    result.text = reply;
    result.error = ok ? "" : "scripted failure";
    const CallContext context{&example, mode, rotation, &prompt, mode_sends_images(mode) ? &example : nullptr, &request};
    return score_call(context, result, NormalizeOptions{});
}

// The shown letter of the gold option.
std::string gold_shown(const Example& example, int rotation) {
    const BuiltPrompt prompt = build_prompt(example, AblationMode::ImageText, rotation, PromptTexts::defaults(), false);
    for (size_t i = 0; i < prompt.letters.size(); ++i) {
        if (example.choices[static_cast<size_t>(prompt.shown_to_original[i])].letter == example.answer) {
            return prompt.letters[i];
        }
    }
    return "";
}

// image+text: always the gold letter, and r4's rotation-1 call fails.
// text-only: always "A".
// shuffled-image: "I cannot see the image" for r1 at rotation 0, else "E".
std::vector<Prediction> make_predictions(const Dataset& dataset) {
    std::vector<Prediction> predictions;
    for (const auto& example : dataset.examples) {
        for (int rotation = 0; rotation < 2; ++rotation) {
            const bool failed = example.id == "r4" && rotation == 1;
            predictions.push_back(predict(example, AblationMode::ImageText, rotation, gold_shown(example, rotation), !failed));
            predictions.push_back(predict(example, AblationMode::TextOnly, rotation, "A"));
            const bool canary = example.id == "r1" && rotation == 0;
            predictions.push_back(
                predict(example, AblationMode::ShuffledImage, rotation, canary ? "I cannot see the image." : "E"));
        }
    }
    return predictions;
}

class SummaryMultipleChoiceTest : public ::testing::Test {
protected:
    void SetUp() override {
        dataset_ = make_dataset();
        predictions_ = make_predictions(dataset_);
        manifest_ = make_manifest(2, {"text-only", "image+text", "shuffled-image"});
        summary_ = summarize_multiple_choice(manifest_, dataset_, predictions_);
        // build_summary() adds these for every task; the report reads them.
        summary_["telemetry"] = dataset_.telemetry.to_json();
        summary_["valid"] = true;
        summary_["invalid_reasons"] = nlohmann::json::array();
        summary_["work"] = summarize_work(manifest_, predictions_);
    }

    const nlohmann::json& mode(const std::string& name) const { return summary_.at("modes").at(name); }

    Dataset dataset_;
    std::vector<Prediction> predictions_;
    nlohmann::json manifest_;
    nlohmann::json summary_;
};

TEST_F(SummaryMultipleChoiceTest, OriginalOrderAccuracy) {
    EXPECT_DOUBLE_EQ(mode("image+text").at("accuracy").get<double>(), 1.0);
    // "A" is right only for r1 on the original order.
    EXPECT_DOUBLE_EQ(mode("text-only").at("accuracy").get<double>(), 0.25);
    // "E" is right for r3 and r4; r1's reply is UNKNOWN.
    EXPECT_DOUBLE_EQ(mode("shuffled-image").at("accuracy").get<double>(), 0.5);
    EXPECT_EQ(mode("shuffled-image").at("unknown").get<int64_t>(), 1);
    EXPECT_DOUBLE_EQ(mode("shuffled-image").at("unknown_rate").get<double>(), 0.25);
    EXPECT_EQ(mode("shuffled-image").at("answer_distribution"), (nlohmann::json{{"E", 3}, {"UNKNOWN", 1}}));
    EXPECT_EQ(mode("text-only").at("answer_distribution"), (nlohmann::json{{"A", 4}}));
}

TEST_F(SummaryMultipleChoiceTest, RotationStatistics) {
    // Rotation 1 shows B C D E A: text-only's "A" means B (right for r2);
    // shuffled-image's "E" means A (right for r1).
    EXPECT_DOUBLE_EQ(mode("text-only").at("rotation_mean_accuracy").get<double>(), 0.25);
    EXPECT_DOUBLE_EQ(mode("shuffled-image").at("rotation_mean_accuracy").get<double>(), (0.5 + 0.25) / 2);
    EXPECT_DOUBLE_EQ(mode("image+text").at("rotation_mean_accuracy").get<double>(), 1.0);
    const auto& per_rotation = mode("image+text").at("per_rotation");
    ASSERT_EQ(per_rotation.size(), 2u);
    EXPECT_EQ(per_rotation[1].at("n").get<int64_t>(), 3);  // r4's call failed

    // A constant letter never picks the same option twice; the perfect
    // model always does, over the three rows without a failed call.
    EXPECT_EQ(mode("text-only").at("semantic_consistency").at("consistent").get<int64_t>(), 0);
    EXPECT_EQ(mode("text-only").at("semantic_consistency").at("rows").get<int64_t>(), 4);
    EXPECT_EQ(mode("image+text").at("semantic_consistency").at("rows").get<int64_t>(), 3);
    EXPECT_DOUBLE_EQ(mode("image+text").at("semantic_consistency").at("value").get<double>(), 1.0);
    EXPECT_DOUBLE_EQ(mode("shuffled-image").at("semantic_consistency").at("value").get<double>(), 0.0);
}

TEST_F(SummaryMultipleChoiceTest, AccuracyByGoldPosition) {
    // Gold shown at rotation 0: r1 A, r2 B, r3 E, r4 E; at rotation 1:
    // r1 E, r2 A, r3 D, r4 D. text-only answers A and is right exactly
    // when the gold is shown at A.
    const auto& by_position = mode("text-only").at("accuracy_by_gold_position");
    EXPECT_EQ(by_position.at("A"), (nlohmann::json{{"n", 2}, {"correct", 2}, {"accuracy", 1.0}}));
    EXPECT_EQ(by_position.at("B").at("n").get<int64_t>(), 1);
    EXPECT_EQ(by_position.at("C").at("n").get<int64_t>(), 0);
    EXPECT_EQ(by_position.at("D").at("n").get<int64_t>(), 2);
    EXPECT_EQ(by_position.at("E").at("n").get<int64_t>(), 3);
    EXPECT_EQ(by_position.at("E").at("correct").get<int64_t>(), 0);
}

TEST_F(SummaryMultipleChoiceTest, PerLetterAccuracy) {
    const auto& per_letter = mode("text-only").at("per_letter_accuracy");
    EXPECT_EQ(per_letter.at("A"), (nlohmann::json{{"n", 1}, {"correct", 1}, {"accuracy", 1.0}}));
    EXPECT_EQ(per_letter.at("E"), (nlohmann::json{{"n", 2}, {"correct", 0}, {"accuracy", 0.0}}));
    EXPECT_EQ(per_letter.at("C").at("n").get<int64_t>(), 0);
}

TEST_F(SummaryMultipleChoiceTest, LetterBiasChiSquare) {
    // No call showed the gold at C, so the expected shares are uniform:
    // 8 answers of "A" against 1.6 expected per letter give
    // 6.4^2 / 1.6 + 4 * 1.6 = 32.
    const auto& bias = mode("text-only").at("letter_bias");
    EXPECT_EQ(bias.at("null_hypothesis").get<std::string>(), "chosen letters are uniform");
    EXPECT_NEAR(bias.at("statistic").get<double>(), 32.0, 1e-9);
    EXPECT_EQ(bias.at("degrees_of_freedom").get<int>(), 4);
    EXPECT_LT(bias.at("p_value").get<double>(), 1e-5);
    EXPECT_TRUE(bias.at("small_expected_counts").get<bool>());
    // image+text chose A2 B1 C0 D1 E3 over 7 answered calls (1.4 expected).
    EXPECT_NEAR(mode("image+text").at("letter_bias").at("statistic").get<double>(), 5.2 / 1.4, 1e-9);
}

TEST_F(SummaryMultipleChoiceTest, LetterBiasAgainstGoldPositions) {
    // With all five rotations every letter holds the gold answer, so the
    // expected counts follow the gold positions; a perfect model has none.
    std::vector<Prediction> predictions;
    for (const auto& example : dataset_.examples) {
        for (int rotation = 0; rotation < 5; ++rotation) {
            predictions.push_back(predict(example, AblationMode::ImageText, rotation, gold_shown(example, rotation)));
        }
    }
    const auto summary = summarize_multiple_choice(make_manifest(5, {"image+text"}), dataset_, predictions);
    const auto& bias = summary.at("modes").at("image+text").at("letter_bias");
    EXPECT_EQ(bias.at("null_hypothesis").get<std::string>(), "chosen letters follow the gold answers' shown positions");
    EXPECT_NEAR(bias.at("statistic").get<double>(), 0.0, 1e-12);
    EXPECT_DOUBLE_EQ(summary.at("modes").at("image+text").at("semantic_consistency").at("value").get<double>(), 1.0);
}

TEST_F(SummaryMultipleChoiceTest, BaselinesBesideEveryMode) {
    for (const auto& name : {"text-only", "image+text", "shuffled-image"}) {
        const auto& baselines = mode(name).at("baselines");
        EXPECT_DOUBLE_EQ(baselines.at("random").get<double>(), 0.2) << name;
        // Gold E on 2 of the 4 rows.
        EXPECT_EQ(baselines.at("best_constant_letter").at("letter").get<std::string>(), "E") << name;
        EXPECT_DOUBLE_EQ(baselines.at("best_constant_letter").at("accuracy").get<double>(), 0.5) << name;
        EXPECT_EQ(baselines.at("majority_label").at("letter").get<std::string>(), "E") << name;
        EXPECT_DOUBLE_EQ(baselines.at("majority_label").at("share").get<double>(), 0.5) << name;
    }
    // Over both rotations the gold is shown at E in 3 of 8 calls.
    const auto& all = mode("text-only").at("baselines").at("best_constant_letter_all_rotations");
    EXPECT_EQ(all.at("letter").get<std::string>(), "E");
    EXPECT_DOUBLE_EQ(all.at("accuracy").get<double>(), 3.0 / 8.0);
    EXPECT_DOUBLE_EQ(summary_.at("baselines").at("best_constant_letter").at("accuracy").get<double>(), 0.5);
}

TEST_F(SummaryMultipleChoiceTest, ImageNotReceivedCanary) {
    const auto& canary = mode("shuffled-image").at("image_not_received");
    EXPECT_EQ(canary.at("count").get<int64_t>(), 1);
    EXPECT_EQ(canary.at("answered").get<int64_t>(), 8);
    ASSERT_EQ(canary.at("replies").size(), 1u);
    EXPECT_EQ(canary.at("replies")[0].at("id").get<std::string>(), "r1");
    EXPECT_EQ(canary.at("replies")[0].at("rotation").get<int>(), 0);
    EXPECT_EQ(mode("image+text").at("image_not_received").at("count").get<int64_t>(), 0);
    // A text-only reply saying the same is expected, not a canary.
    EXPECT_TRUE(mode("text-only").at("image_not_received").is_null());
}

TEST_F(SummaryMultipleChoiceTest, SlicesWithImageGainAndShuffledGap) {
    const auto& slices = summary_.at("slices");
    for (const auto& name : {"medical_task", "body_system", "question_type", "images_per_row"}) {
        EXPECT_TRUE(slices.contains(name)) << name;
    }
    // Diagnosis: r1, r3, r4. text-only right on r1; shuffled-image on r3, r4.
    const auto& diagnosis = slices.at("medical_task").at("Diagnosis");
    EXPECT_EQ(diagnosis.at("rows").get<int64_t>(), 3);
    EXPECT_NEAR(diagnosis.at("image_gain").at("delta").get<double>(), 1.0 - 1.0 / 3.0, 1e-12);
    EXPECT_NEAR(diagnosis.at("shuffled_image_gap").at("delta").get<double>(), 1.0 - 2.0 / 3.0, 1e-12);
    EXPECT_EQ(diagnosis.at("image_gain").at("pairs").get<int64_t>(), 3);
    EXPECT_EQ(diagnosis.at("modes").at("text-only").at("ci95").at("method"), "wilson");
    EXPECT_EQ(diagnosis.at("modes").at("text-only").at("correct").get<int64_t>(), 1);

    const auto& images = slices.at("images_per_row");
    EXPECT_EQ(images.at("1").at("rows").get<int64_t>(), 2);
    EXPECT_EQ(images.at("2").at("rows").get<int64_t>(), 1);
    EXPECT_EQ(images.at("3+").at("rows").get<int64_t>(), 1);
    EXPECT_NEAR(images.at("1").at("image_gain").at("delta").get<double>(), 0.5, 1e-12);
    EXPECT_EQ(slices.at("body_system").at("(missing)").at("rows").get<int64_t>(), 1);
}

TEST_F(SummaryMultipleChoiceTest, ComparisonsAndInterpretation) {
    // Paired by row on the original order: image+text is right on all four
    // rows, text-only only on r1, so three discordant pairs favour
    // image+text and McNemar's p is 2 / 2^3 = 0.25.
    const auto& gain = summary_.at("comparisons").at("image_gain");
    EXPECT_NEAR(gain.at("delta").get<double>(), 0.75, 1e-12);
    EXPECT_EQ(gain.at("pairs").get<int64_t>(), 4);
    EXPECT_EQ(gain.at("mcnemar").at("first_only").get<int64_t>(), 3);
    EXPECT_EQ(gain.at("mcnemar").at("second_only").get<int64_t>(), 0);
    EXPECT_DOUBLE_EQ(gain.at("mcnemar").at("p_value").get<double>(), 0.25);
    EXPECT_EQ(gain.at("ci95").at("method"), "paired bootstrap");
    EXPECT_EQ(gain.at("ci95").at("resamples"), 10'000);
    // Resamples with three or four draws of r1 fall at or below +0.25, with
    // probability 13/256 > 2.5 %, so the interval starts above 0.
    EXPECT_DOUBLE_EQ(gain.at("ci95").at("lower").get<double>(), 0.25);
    EXPECT_EQ(gain.at("decision"), "higher");
    EXPECT_NEAR(summary_.at("comparisons").at("shuffled_image_gap").at("delta").get<double>(), 0.5, 1e-12);
    EXPECT_EQ(summary_.at("statistics").at("resampling_unit"), "question");
    EXPECT_FALSE(summary_.at("stand_in_images").get<bool>());
    bool images_help = false;
    for (const auto& item : summary_.at("interpretation")) {
        images_help = images_help || item.at("finding") == "images likely help";
    }
    EXPECT_TRUE(images_help) << summary_.at("interpretation").dump(2);
}

TEST_F(SummaryMultipleChoiceTest, ReportHasModelCardTable) {
    const std::string report = render_run_report(manifest_, summary_);
    EXPECT_NE(report.find("| Benchmark | Mode | Score | 95 % CI | Interpretation |"), std::string::npos) << report;
    // Wilson for 4/4: [0.510, 1].
    EXPECT_NE(report.find("| medxpertqa-mm test | image+text | 100.0 % accuracy (n=4) | 51.0-100.0 % (wilson) | "
                          "above the chance band; images likely help |"),
              std::string::npos)
        << report;
    EXPECT_NE(report.find("decided on 95 % intervals"), std::string::npos);
    EXPECT_NE(report.find("| Comparison | Delta | 95 % CI | p (McNemar) | Meaning |"), std::string::npos) << report;
    EXPECT_NE(report.find("| image+text minus text-only, accuracy (original order) (n=4) | +75.0 pts | +25.0 to +100.0 "
                          "pts | 0.250 | image+text higher |"),
              std::string::npos)
        << report;
    EXPECT_NE(report.find("image+text scores higher than text-only on \"image+text minus text-only, accuracy "
                          "(original order)\""),
              std::string::npos)
        << report;
    EXPECT_NE(report.find("### Accuracy by gold position"), std::string::npos);
    EXPECT_NE(report.find("### Letter distribution and letter bias"), std::string::npos);
    EXPECT_NE(report.find("`r1` (rotation 0): \"I cannot see the image.\""), std::string::npos) << report;
    EXPECT_NE(report.find("### images_per_row"), std::string::npos);
    EXPECT_NE(report.find("| text-only | 4 | 25.0 % |"), std::string::npos) << report;
    EXPECT_NE(report.find("| Mode | A | B | C | D | E | UNKNOWN | Chi-square (df) | p-value |\n"
                          "|---|---:|---:|---:|---:|---:|---:|---:|---:|\n"),
              std::string::npos)
        << report;
}

TEST_F(SummaryMultipleChoiceTest, ReportTablesHaveEvenRows) {
    // Every line of a Markdown table has as many cells as its header.
    const std::string report = render_run_report(manifest_, summary_);
    size_t header_cells = 0;
    size_t start = 0;
    while (start < report.size()) {
        const size_t end = std::min(report.find('\n', start), report.size());
        const std::string line = report.substr(start, end - start);
        start = end + 1;
        if (!line.starts_with("|")) {
            header_cells = 0;
            continue;
        }
        size_t cells = 0;
        for (size_t i = 0; i < line.size(); ++i) {
            cells += line[i] == '|' && (i == 0 || line[i - 1] != '\\') ? 1 : 0;
        }
        if (header_cells == 0) {
            header_cells = cells;
        }
        EXPECT_EQ(cells, header_cells) << line;
    }
}

}  // namespace
}  // namespace medvlm
