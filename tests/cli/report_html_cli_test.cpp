// `medvlm report RUN_DIR` on a multiple-choice run and the HTML it writes,
// rendered by headless Chromium: the page loads without a console message,
// its charts (forest plot with baselines, ablation chart, letter
// distribution, per-slice bars) are in the DOM and visible in the PNG, and
// a page that tries to load anything from the network is caught.
//
// The run is built in process from 40 hand-made five-option rows and
// scripted replies scored by the real scorer and summarized by the real
// summary code, so the test needs no model.

#include <gtest/gtest.h>

#include "core/files.hpp"
#include "prompts/prompt_builder.hpp"
#include "report/summary.hpp"
#include "run/scorer.hpp"
#include "support/chromium.hpp"
#include "support/test_support.hpp"

namespace medvlm {
namespace {

constexpr uint32_t kFirstSeries = 0x0072b2;
constexpr uint32_t kReferenceLine = 0xb00020;
constexpr int kRows = 40;

Example make_row(int index) {
    Example example;
    example.id = "row" + std::to_string(index);
    example.benchmark = Benchmark::MedXpertQaMm;
    example.question = "Question " + example.id + "?";
    example.choices = {{"A", "alpha"}, {"B", "beta"}, {"C", "gamma"}, {"D", "delta"}, {"E", "epsilon"}};
    example.answer = std::string(1, static_cast<char>('A' + index % 5));
    const int images = 1 + index % 3;
    for (int i = 0; i < images; ++i) {
        const std::string name = example.id + "-" + std::to_string(i) + ".jpeg";
        example.images.push_back({name, {}, "sha-" + name, 64, 64, true});
    }
    example.fields["medical_task"] = index % 2 == 0 ? "Diagnosis" : "Treatment";
    example.fields["body_system"] = index % 4 == 0 ? "Skeletal" : "Cardiovascular";
    example.fields["question_type"] = "Reasoning";
    return example;
}

Prediction predict(const Example& example, const Example* image_source, AblationMode mode, int rotation,
                   const std::string& reply) {
    const BuiltPrompt prompt = build_prompt(example, mode, rotation, PromptTexts::defaults(), false);
    EngineRequest request;
    request.choice_letters = prompt.letters;
    EngineResult result;
    result.text = reply;
    result.image_tokens = image_source == nullptr ? 0 : 64;
    result.images_encoded = image_source == nullptr ? 0 : static_cast<int>(image_source->images.size());
    result.prompt_tokens = 120 + result.image_tokens;
    const CallContext context{&example, mode, rotation, &prompt, image_source, &request};
    return score_call(context, result, NormalizeOptions{});
}

std::string shown_gold(const Example& example, int rotation) {
    const BuiltPrompt prompt = build_prompt(example, AblationMode::ImageText, rotation, PromptTexts::defaults(), false);
    for (size_t i = 0; i < prompt.letters.size(); ++i) {
        if (example.choices[static_cast<size_t>(prompt.shown_to_original[i])].letter == example.answer) {
            return prompt.letters[i];
        }
    }
    return "";
}

// Writes manifest.json and summary.json of a run: image+text is right on
// three rows in four, text-only always answers "E", shuffled-image "B".
std::filesystem::path write_run(const std::filesystem::path& dir) {
    Dataset dataset;
    dataset.options.benchmark = Benchmark::MedXpertQaMm;
    for (int i = 0; i < kRows; ++i) {
        dataset.examples.push_back(make_row(i));
    }
    dataset.telemetry.rows = kRows;
    dataset.telemetry.rows_with_image_filenames = kRows;
    dataset.telemetry.rows_with_loaded_images = kRows;

    std::vector<Prediction> predictions;
    for (int i = 0; i < kRows; ++i) {
        const Example& example = dataset.examples[static_cast<size_t>(i)];
        const Example& other = dataset.examples[static_cast<size_t>((i + 1) % kRows)];
        for (int rotation = 0; rotation < 2; ++rotation) {
            predictions.push_back(predict(example, nullptr, AblationMode::TextOnly, rotation, "E"));
            const std::string reply = i % 4 == 3 ? "A" : shown_gold(example, rotation);
            predictions.push_back(predict(example, &example, AblationMode::ImageText, rotation, reply));
            predictions.push_back(predict(example, &other, AblationMode::ShuffledImage, rotation, "B"));
        }
    }

    const nlohmann::json manifest = {
        {"benchmark", "medxpertqa-mm"},
        {"task", "multiple-choice"},
        {"data",
         {{"file", "MM_test.jsonl"}, {"sha256", "0123456789abcdef"}, {"split", "test"}, {"lang", ""},
          {"stand_in_images", false}}},
        {"protocol", {{"modes", {"text-only", "image+text", "shuffled-image"}}, {"rotations", 2}, {"scoring", "generate"}}},
        {"decoding", {{"strategy", "greedy"}, {"temperature", 0}, {"max_new_tokens", 8}}},
        {"medvlm", {{"version", "test"}, {"git_commit", "test"}}},
        {"engine", {{"kind", "llama"}, {"model", "scripted-replies"}, {"test_model", false}}},
    };
    nlohmann::json summary = build_summary(manifest, dataset, predictions);
    summary["completeness"] = {{"complete", true}, {"answered", predictions.size()}};
    std::filesystem::create_directories(dir);
    write_json_atomic(dir / "manifest.json", manifest);
    write_json_atomic(dir / "summary.json", summary);
    return dir;
}

TEST(ReportHtmlCli, MultipleChoiceRunRendersWithCharts) {
    const auto dir = write_run(testing::make_temp_dir("report-html") / "run");
    const auto result = testing::run_medvlm({"report", dir.string()});
    ASSERT_EQ(result.exit_code, 0) << result.output;
    ASSERT_TRUE(std::filesystem::exists(dir / "report.md"));
    const std::string markdown = read_file(dir / "report.md");
    EXPECT_NE(markdown.find("## Model card"), std::string::npos);
    EXPECT_NE(markdown.find("| Comparison | Delta | 95 % CI | p (McNemar) | Meaning |"), std::string::npos);

    const auto html = dir / "report.html";
    const auto png = dir / "report.png";
    const testing::RenderedPage page = testing::render_page(html, png);
    EXPECT_EQ(page.screenshot_exit_code, 0) << page.log;
    EXPECT_EQ(page.dom_exit_code, 0) << page.log;
    EXPECT_TRUE(page.console_messages.empty()) << page.console_messages.front();
    EXPECT_NE(page.dom.find("</html>"), std::string::npos);
    for (const char* id : {"forest-plot", "ablation-chart", "letter-distribution", "slice-medical_task",
                           "slice-images_per_row", "mode-differences"}) {
        EXPECT_NE(page.dom.find(std::string("id=\"") + id + "\""), std::string::npos) << id;
    }
    // The forest plot draws both baselines: random 20 % and the best
    // constant letter (8 of 40 rows per letter, also 20 %).
    EXPECT_NE(page.dom.find("random 20.0 %"), std::string::npos);
    EXPECT_NE(page.dom.find("class=\"reference\""), std::string::npos);
    EXPECT_GT(testing::count_pixels(png, kFirstSeries), 2000);
    EXPECT_GT(testing::count_pixels(png, kReferenceLine), 50);
}

TEST(ReportHtmlCli, NetworkRequestIsCaught) {
    // The same report with one external image: the page's policy blocks it
    // and Chromium logs the violation, so the console check can fail.
    const auto dir = write_run(testing::make_temp_dir("report-html-network") / "run");
    ASSERT_EQ(testing::run_medvlm({"report", dir.string()}).exit_code, 0);
    std::string html = read_file(dir / "report.html");
    html.insert(html.find("<body>") + 6, "<img src=\"https://example.invalid/pixel.png\" alt=\"\">");
    write_file_atomic(dir / "tampered.html", html);
    const testing::RenderedPage page = testing::render_page(dir / "tampered.html", dir / "tampered.png");
    ASSERT_FALSE(page.console_messages.empty()) << page.log;
    EXPECT_NE(page.console_messages.front().find("example.invalid"), std::string::npos) << page.console_messages.front();
}

TEST(ReportHtmlCli, DirectoryWithoutResultsIsRejected) {
    const auto dir = testing::make_temp_dir("report-empty");
    const auto result = testing::run_medvlm({"report", dir.string()});
    EXPECT_EQ(result.exit_code, 2) << result.output;
    EXPECT_NE(result.output.find("neither comparison.json nor summary.json"), std::string::npos) << result.output;
}

}  // namespace
}  // namespace medvlm
