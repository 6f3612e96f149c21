// `medvlm compare` and `medvlm report` as a user runs them: two tiny models
// with different seeds, evaluated on the same 50 English SLAKE rows, are
// compared mode by mode; the report says "no clear difference" exactly
// where the paired interval contains 0, and report.html renders in
// headless Chromium with its charts.

#include <gtest/gtest.h>

#include <sstream>

#include "core/files.hpp"
#include "support/chromium.hpp"
#include "support/test_support.hpp"

namespace medvlm {
namespace {

// Colours the charts draw with (src/report/svg_chart.cpp): the first
// series and the reference lines.
constexpr uint32_t kFirstSeries = 0x0072b2;
constexpr uint32_t kReferenceLine = 0xb00020;

class CompareCli : public ::testing::Test {
protected:
    static void SetUpTestSuite() {
        root_ = new std::filesystem::path(testing::make_temp_dir("compare-cli"));
        for (const char* seed : {"1", "2"}) {
            const std::string name = std::string("seed") + seed;
            const auto made = testing::run_medvlm({"make-tiny-model", "--out", path(name + "-model"), "--seed", seed});
            ASSERT_EQ(made.exit_code, 0) << made.output;
            const auto run = eval(name + "-model", {"--limit", "50", "--modes", "image+text,text-only"}, name);
            ASSERT_EQ(run.exit_code, 0) << run.output;
        }
    }
    static void TearDownTestSuite() {
        delete root_;
        root_ = nullptr;
    }

    static std::string path(const std::string& name) { return (*root_ / name).string(); }

    static testing::CommandResult eval(const std::string& model, const std::vector<std::string>& extra,
                                       const std::string& out) {
        const auto data = testing::shared_data_dir();
        std::vector<std::string> arguments = {"eval", "--benchmark", "slake", "--data", (data / "slake/test.json").string(),
                                              "--image-root", (data / "slake/images").string(), "--model",
                                              path(model) + "/model.gguf", "--mmproj", path(model) + "/mmproj.gguf",
                                              "--out", path(out)};
        arguments.insert(arguments.end(), extra.begin(), extra.end());
        return testing::run_medvlm(arguments);
    }

    static std::filesystem::path* root_;
};

std::filesystem::path* CompareCli::root_ = nullptr;

const nlohmann::json* find_entry(const nlohmann::json& comparison, const std::string& kind, const std::string& mode,
                                 const std::string& metric) {
    for (const auto& entry : comparison.at("comparisons")) {
        if (entry.at("kind") == kind && entry.at("mode") == mode && entry.at("metric") == metric) {
            return &entry;
        }
    }
    return nullptr;
}

// The Meaning cell of the delta-table row whose comparison is `name`.
std::string meaning_in_report(const std::string& report, const std::string& name) {
    std::istringstream lines(report);
    std::string line;
    while (std::getline(lines, line)) {
        if (line.starts_with("| " + name + " (")) {
            const size_t last = line.rfind(" |");
            const size_t before = line.rfind("| ", last - 1);
            return line.substr(before + 2, last - before - 2);
        }
    }
    return "(row not found)";
}

void expect_charts_rendered(const std::filesystem::path& html, const std::vector<std::string>& chart_ids) {
    const auto png = html.parent_path() / (html.stem().string() + ".png");
    const testing::RenderedPage page = testing::render_page(html, png);
    EXPECT_EQ(page.screenshot_exit_code, 0) << page.log;
    EXPECT_EQ(page.dom_exit_code, 0) << page.log;
    EXPECT_TRUE(page.console_messages.empty()) << "console: " << page.console_messages.front();
    EXPECT_NE(page.dom.find("</html>"), std::string::npos) << "the page did not finish loading";
    for (const auto& id : chart_ids) {
        EXPECT_NE(page.dom.find("id=\"" + id + "\""), std::string::npos) << id;
    }
    size_t svgs = 0;
    for (size_t at = page.dom.find("<svg"); at != std::string::npos; at = page.dom.find("<svg", at + 1)) {
        ++svgs;
    }
    EXPECT_GE(svgs, chart_ids.size());
    ASSERT_TRUE(std::filesystem::exists(png));
    // Every estimate marker (a 9-pixel square) and legend key (10 pixels)
    // is filled with the first series colour. These pages draw more than 15
    // of them above the screenshot's lower edge, even when every score is 0
    // and the bars are 1 pixel wide. The reference lines (0, or the
    // baselines) are drawn in the reference colour. A blank page, or one
    // whose SVG did not render, has neither colour.
    EXPECT_GT(testing::count_pixels(png, kFirstSeries), 1000);
    EXPECT_GT(testing::count_pixels(png, kReferenceLine), 50);
}

TEST_F(CompareCli, TwoSeedsOnFiftySlakeRows) {
    const auto result = testing::run_medvlm({"compare", path("seed1"), path("seed2"), "--out", path("comparison")});
    ASSERT_EQ(result.exit_code, 0) << result.output;
    EXPECT_NE(result.output.find("Compared 2 runs"), std::string::npos) << result.output;

    const auto comparison = read_json_file(*root_ / "comparison/comparison.json");
    EXPECT_FALSE(comparison.contains("warning"));
    EXPECT_TRUE(comparison.at("harness").at("same").get<bool>());
    // The first 50 English test questions share a handful of images.
    EXPECT_EQ(comparison.at("statistics").at("resampling_unit"), "image");
    const auto& pairing = comparison.at("pairing").at(0);
    EXPECT_EQ(pairing.at("paired_calls").get<size_t>(), 100u);
    EXPECT_TRUE(pairing.at("complete").get<bool>()) << pairing.dump();

    for (const char* mode : {"image+text", "text-only"}) {
        for (const char* metric : {"exact_match", "closed_accuracy"}) {
            const nlohmann::json* entry = find_entry(comparison, "between runs", mode, metric);
            ASSERT_NE(entry, nullptr) << mode << " " << metric;
            EXPECT_EQ(entry->at("minuend"), "run B");
            EXPECT_EQ(entry->at("subtrahend"), "run A");
            const auto& result_json = entry->at("result");
            EXPECT_GT(result_json.at("pairs").get<int64_t>(), 0) << mode << " " << metric;
            const auto& interval = result_json.at("ci95");
            EXPECT_EQ(interval.at("method"), "paired cluster bootstrap");
            EXPECT_EQ(interval.at("level"), 0.95);
            EXPECT_EQ(interval.at("resamples"), 10'000);
            for (const char* percentile : {"2.5", "50", "97.5"}) {
                EXPECT_TRUE(result_json.at("percentiles").contains(percentile)) << percentile;
            }
            EXPECT_EQ(result_json.at("mcnemar").at("test"), "exact McNemar");
            EXPECT_TRUE(result_json.at("mcnemar").at("p_value").is_number());
        }
        const nlohmann::json* exact = find_entry(comparison, "between runs", mode, "exact_match");
        EXPECT_EQ(exact->at("result").at("pairs").get<int64_t>(), 50);
    }
    ASSERT_NE(find_entry(comparison, "within run", "image+text", "exact_match"), nullptr);

    // The Meaning follows the interval, row by row.
    const std::string report = read_file(*root_ / "comparison/report.md");
    EXPECT_NE(report.find("| Comparison | Delta | 95 % CI | p (McNemar) | Meaning |"), std::string::npos);
    int no_clear_difference = 0;
    for (const auto& entry : comparison.at("comparisons")) {
        const auto& result_json = entry.at("result");
        const bool contains_zero = result_json.at("ci95").is_null() ||
                                   (result_json.at("ci95").at("lower").get<double>() <= 0 &&
                                    result_json.at("ci95").at("upper").get<double>() >= 0);
        const std::string meaning = meaning_in_report(report, entry.at("name").get<std::string>());
        if (contains_zero) {
            EXPECT_EQ(meaning, "no clear difference") << entry.at("name");
            ++no_clear_difference;
        } else {
            EXPECT_NE(meaning, "no clear difference") << entry.at("name");
            EXPECT_NE(meaning, "(row not found)") << entry.at("name");
        }
    }
    // Two random-weight models do not differ clearly on exact_match.
    EXPECT_GT(no_clear_difference, 0);
    EXPECT_NE(report.find("## Model card"), std::string::npos);
    EXPECT_NE(report.find("### run B ("), std::string::npos);
    EXPECT_NE(report.find("Test model: random weights"), std::string::npos);
}

TEST_F(CompareCli, ReportCommandRewritesComparisonReports) {
    const auto compared = testing::run_medvlm({"compare", path("seed1"), path("seed2"), "--out", path("rerendered")});
    ASSERT_EQ(compared.exit_code, 0) << compared.output;
    const std::string written = read_file(*root_ / "rerendered/report.md");
    std::filesystem::remove(*root_ / "rerendered/report.md");
    std::filesystem::remove(*root_ / "rerendered/report.html");

    const auto result = testing::run_medvlm({"report", path("rerendered")});
    ASSERT_EQ(result.exit_code, 0) << result.output;
    EXPECT_EQ(read_file(*root_ / "rerendered/report.md"), written);
    expect_charts_rendered(*root_ / "rerendered/report.html",
                           {"differences", "slice-differences", "runs-by-mode", "run-A-forest-plot",
                            "run-A-ablation-chart", "run-B-forest-plot", "run-A-slice-modality"});
}

TEST_F(CompareCli, EvalWritesRunHtmlReport) {
    const auto html = *root_ / "seed1/report.html";
    ASSERT_TRUE(std::filesystem::exists(html));
    expect_charts_rendered(html, {"forest-plot", "ablation-chart", "mode-differences", "slice-modality",
                                  "slice-content_type"});
    const std::string text = read_file(html);
    EXPECT_NE(text.find("Content-Security-Policy"), std::string::npos);
    EXPECT_EQ(text.find("<script"), std::string::npos);
    EXPECT_EQ(text.find("http://"), text.find("http://www.w3.org/2000/svg"));
}

TEST_F(CompareCli, MissingExamplesAreReported) {
    // A third run on the first 45 of the rows, text-only.
    const auto run = eval("seed1-model", {"--limit", "45", "--modes", "text-only", "--max-new-tokens", "16"}, "partial");
    ASSERT_EQ(run.exit_code, 0) << run.output;
    const auto result = testing::run_medvlm({"compare", path("seed1"), path("partial"), "--out", path("partial-comparison")});
    ASSERT_EQ(result.exit_code, 0) << result.output;
    EXPECT_NE(result.output.find("could not be paired"), std::string::npos) << result.output;

    const auto comparison = read_json_file(*root_ / "partial-comparison/comparison.json");
    const auto& pairing = comparison.at("pairing").at(0);
    EXPECT_FALSE(pairing.at("complete").get<bool>());
    EXPECT_EQ(pairing.at("examples_only_in_first").at("count").get<size_t>(), 5u);
    EXPECT_EQ(pairing.at("calls_only_in_first").at("count").get<size_t>(), 5u);
    EXPECT_EQ(pairing.at("modes_only_in_first"), (nlohmann::json{"image+text"}));
    EXPECT_EQ(pairing.at("paired_calls").get<size_t>(), 45u);
    const std::string report = read_file(*root_ / "partial-comparison/report.md");
    EXPECT_NE(report.find("5 calls only in run A, left out of the paired comparisons:"), std::string::npos) << report;
    EXPECT_NE(report.find("mode image+text ran only in run A"), std::string::npos);
}

}  // namespace
}  // namespace medvlm
