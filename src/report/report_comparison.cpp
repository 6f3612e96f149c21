#include "report/report_comparison.hpp"

#include <algorithm>

#include <fmt/format.h>

#include "report/delta_table.hpp"
#include "report/html_page.hpp"
#include "report/model_card.hpp"
#include "report/report_html.hpp"
#include "report/run_charts.hpp"
#include "report/svg_chart.hpp"

namespace medvlm {
namespace {

// How many unpaired keys per list the reports quote; comparison.json lists all.
constexpr size_t kListedKeys = 20;

std::string model_name(const nlohmann::json& run) {
    const auto& engine = run.at("manifest").at("engine");
    return engine.value("model", engine.value("model_name", std::string("?")));
}

const nlohmann::json& run_by_label(const nlohmann::json& comparison, const std::string& label) {
    for (const auto& run : comparison.at("runs")) {
        if (run.at("label") == label) {
            return run;
        }
    }
    throw std::out_of_range("no run labelled " + label);
}

// "run B (model-b.gguf)" for run labels; mode names stay as they are.
std::string side_name(const nlohmann::json& comparison, const std::string& side) {
    for (const auto& run : comparison.at("runs")) {
        if (run.at("label") == side) {
            return side + " (" + model_name(run) + ")";
        }
    }
    return side;
}

DeltaRow delta_row(const nlohmann::json& comparison, const nlohmann::json& entry) {
    return {entry.at("name").get<std::string>(), side_name(comparison, entry.at("minuend").get<std::string>()),
            side_name(comparison, entry.at("subtrahend").get<std::string>()), entry.at("proportion").get<bool>(),
            entry.at("result")};
}

std::vector<DeltaRow> rows_of_kind(const nlohmann::json& comparison, const std::string& kind) {
    std::vector<DeltaRow> rows;
    for (const auto& entry : comparison.at("comparisons")) {
        if (entry.at("kind") == kind) {
            rows.push_back(delta_row(comparison, entry));
        }
    }
    return rows;
}

bool run_supports_claims(const nlohmann::json& run) {
    return run.at("summary").at("valid").get<bool>() &&
           !run.at("manifest").at("data").value("stand_in_images", false);
}

bool has_finding(const nlohmann::json& run, const std::string& finding) {
    const auto& summary = run.at("summary");
    if (!summary.contains("interpretation")) {
        return false;
    }
    const auto& items = summary.at("interpretation");
    return std::any_of(items.begin(), items.end(), [&](const nlohmann::json& item) { return item.at("finding") == finding; });
}

// Claims follow the same rules as in a run report, and between runs they
// also need the same harness and two valid runs on real images.
std::vector<DeltaRow> claimable(const nlohmann::json& comparison) {
    std::vector<DeltaRow> rows;
    const bool same_harness = comparison.at("harness").at("same").get<bool>();
    for (const auto& entry : comparison.at("comparisons")) {
        const DeltaRow row = delta_row(comparison, entry);
        if (!delta_is_clear(row)) {
            continue;
        }
        const std::string kind = entry.at("kind").get<std::string>();
        if (kind == "between runs") {
            const auto& first = run_by_label(comparison, entry.at("minuend").get<std::string>());
            const auto& second = run_by_label(comparison, entry.at("subtrahend").get<std::string>());
            if (same_harness && run_supports_claims(first) && run_supports_claims(second)) {
                rows.push_back(row);
            }
            continue;
        }
        if (kind != "within run") {
            continue;  // slices are exploratory: many comparisons, no correction for multiplicity
        }
        const std::string label = entry.at("name").get<std::string>().substr(0, entry.at("name").get<std::string>().find(':'));
        const auto& run = run_by_label(comparison, label);
        if (!run_supports_claims(run)) {
            continue;
        }
        if (run.at("manifest").at("task") == "multiple-choice") {
            const std::string finding =
                entry.at("subtrahend") == "text-only" ? "images likely help" : "correct images matter";
            if (row.paired.at("decision") != "higher" || !has_finding(run, finding)) {
                continue;
            }
        }
        rows.push_back(row);
    }
    return rows;
}

std::string statistics_sentence(const nlohmann::json& comparison) {
    const auto& statistics = comparison.at("statistics");
    return fmt::format(
        "Every comparison pairs calls by example id, mode and rotation. Intervals are 95 % {} percentile intervals "
        "({} resamples, seed {}, resampling by {}: {}); p is the exact McNemar test on the discordant pairs. \"No "
        "clear difference\" means the interval contains 0, whatever the sign of the delta.",
        statistics.at("difference_interval").get<std::string>(), statistics.at("bootstrap_resamples").get<int>(),
        statistics.at("bootstrap_seed").get<uint64_t>(), statistics.at("resampling_unit").get<std::string>(),
        statistics.at("reason").get<std::string>());
}

std::vector<std::vector<std::string>> run_table(const nlohmann::json& comparison) {
    std::vector<std::vector<std::string>> rows;
    for (const auto& run : comparison.at("runs")) {
        const auto& engine = run.at("manifest").at("engine");
        rows.push_back({run.at("label").get<std::string>(), run.at("dir").get<std::string>(), model_name(run),
                        engine.value("model_sha256", std::string("")).substr(0, 12),
                        run.at("manifest_hash").get<std::string>().substr(0, 12)});
    }
    return rows;
}

// One line per pairing problem, with up to kListedKeys keys quoted.
std::vector<std::string> pairing_lines(const nlohmann::json& pairing) {
    std::vector<std::string> lines;
    const std::string pair = pairing.at("second").get<std::string>() + " against " + pairing.at("first").get<std::string>();
    lines.push_back(fmt::format("{}: {} calls paired.", pair, pairing.at("paired_calls").get<size_t>()));
    for (const auto& [key, label] : std::vector<std::pair<std::string, std::string>>{
             {"examples_only_in_first", "examples only in " + pairing.at("first").get<std::string>()},
             {"examples_only_in_second", "examples only in " + pairing.at("second").get<std::string>()},
             {"calls_only_in_first", "calls only in " + pairing.at("first").get<std::string>()},
             {"calls_only_in_second", "calls only in " + pairing.at("second").get<std::string>()},
             {"failed_in_first", "calls failed in " + pairing.at("first").get<std::string>()},
             {"failed_in_second", "calls failed in " + pairing.at("second").get<std::string>()}}) {
        const auto& list = pairing.at(key);
        const auto count = list.at("count").get<size_t>();
        if (count == 0) {
            continue;
        }
        std::string line = fmt::format("{}: {} {}, left out of the paired comparisons:", pair, count, label);
        const auto& items = list.at("items");
        for (size_t i = 0; i < items.size() && i < kListedKeys; ++i) {
            line += " " + items[i].get<std::string>();
        }
        if (count > kListedKeys) {
            line += fmt::format(" and {} more (comparison.json lists all)", count - kListedKeys);
        }
        lines.push_back(line);
    }
    for (const auto& [key, label] : std::vector<std::pair<std::string, std::string>>{
             {"modes_only_in_first", pairing.at("first").get<std::string>()},
             {"modes_only_in_second", pairing.at("second").get<std::string>()}}) {
        for (const auto& mode : pairing.at(key)) {
            lines.push_back(fmt::format("{}: mode {} ran only in {} and is not compared between the runs.", pair,
                                        mode.get<std::string>(), label));
        }
    }
    return lines;
}

std::string title_of(const nlohmann::json& comparison) {
    return "medvlm comparison: " + benchmark_label(comparison.at("runs").front().at("manifest"));
}

// The primary score of each run per mode: accuracy for multiple choice,
// exact_match of the first language for short answers.
BarChart runs_by_mode_chart(const nlohmann::json& comparison) {
    BarChart chart;
    chart.id = "runs-by-mode";
    chart.title = "Runs side by side, mode by mode";
    std::vector<std::string> modes;
    for (const auto& run : comparison.at("runs")) {
        for (const auto& mode : run.at("manifest").at("protocol").at("modes")) {
            if (std::find(modes.begin(), modes.end(), mode.get<std::string>()) == modes.end()) {
                modes.push_back(mode.get<std::string>());
            }
        }
    }
    const bool multiple_choice = comparison.at("runs").front().at("manifest").at("task") == "multiple-choice";
    for (const auto& mode : modes) {
        ChartGroup group{mode, {}};
        for (const auto& run : comparison.at("runs")) {
            const auto& summary = run.at("summary");
            const std::string series = run.at("label").get<std::string>() + " (" + model_name(run) + ")";
            if (multiple_choice) {
                if (!summary.at("modes").contains(mode)) {
                    continue;
                }
                const auto& stats = summary.at("modes").at(mode);
                ChartBar bar{series, stats.at("accuracy").get<double>(), std::nullopt, std::nullopt};
                if (!stats.at("ci95").is_null()) {
                    bar.lower = stats.at("ci95").at("lower").get<double>();
                    bar.upper = stats.at("ci95").at("upper").get<double>();
                }
                group.bars.push_back(bar);
                continue;
            }
            if (!summary.at("metrics").contains(mode)) {
                continue;
            }
            const std::string language = summary.at("languages").front().get<std::string>();
            const auto& exact = summary.at("metrics").at(mode).at(language).at("exact_match");
            ChartBar bar{series, exact.at("value").get<double>(), std::nullopt, std::nullopt};
            if (!exact.at("ci95").is_null()) {
                bar.lower = exact.at("ci95").at("lower").get<double>();
                bar.upper = exact.at("ci95").at("upper").get<double>();
            }
            group.bars.push_back(bar);
        }
        chart.groups.push_back(group);
    }
    if (multiple_choice) {
        chart.references = chance_references(comparison.at("runs").front().at("summary"));
    }
    chart.caption = std::string(multiple_choice ? "Accuracy on the original option order"
                                                : "exact_match of the first question language") +
                    " of every run in every mode, with each run's own 95 % interval. Whether two runs differ is "
                    "decided by the paired intervals in the delta table, not by overlapping bars.";
    return chart;
}

}  // namespace

std::string render_comparison_markdown(const nlohmann::json& comparison) {
    std::string out;
    if (comparison.contains("warning")) {
        out += "> **" + comparison.at("warning").get<std::string>() + "**\n\n";
    }
    out += "# " + title_of(comparison) + "\n\n";
    out += "| Run | Directory | Model | Model SHA-256 | Manifest hash |\n|---|---|---|---|---|\n";
    for (const auto& row : run_table(comparison)) {
        out += fmt::format("| {} | `{}` | `{}` | `{}` | `{}` |\n", row[0], row[1], row[2], row[3], row[4]);
    }
    out += "\n" + statistics_sentence(comparison) + "\n\n";

    out += "## Model card\n\n";
    for (const auto& run : comparison.at("runs")) {
        out += "### " + run.at("label").get<std::string>() + " (" + model_name(run) + ")\n\n";
        out += render_model_card_markdown(build_model_card(run.at("manifest"), run.at("summary")));
    }
    if (!comparison.at("harness").at("same").get<bool>()) {
        out += "No claim between runs: their harness differs.\n\n";
    }
    out += render_claims_markdown(claimable(comparison));

    out += "## Differences\n\n";
    auto rows = rows_of_kind(comparison, "between runs");
    const auto within = rows_of_kind(comparison, "within run");
    rows.insert(rows.end(), within.begin(), within.end());
    out += render_delta_table(rows) + "\n";

    const auto slices = rows_of_kind(comparison, "between runs, slice");
    if (!slices.empty()) {
        out += "## Differences by slice\n\n";
        out += "Exploratory: with many slices some intervals exclude 0 by chance alone, so no claim rests on a slice.\n\n";
        out += render_delta_table(slices) + "\n";
    }

    out += "## Pairing\n\n";
    for (const auto& pairing : comparison.at("pairing")) {
        for (const auto& line : pairing_lines(pairing)) {
            out += "- " + line + "\n";
        }
    }
    for (const auto& run : comparison.at("runs")) {
        const auto& completeness = run.at("summary").at("completeness");
        if (!completeness.at("complete").get<bool>()) {
            out += fmt::format("- {}: {} planned calls missing and {} failed in the run itself.\n",
                               run.at("label").get<std::string>(), completeness.at("missing").get<size_t>(),
                               completeness.at("failed").get<size_t>());
        }
    }
    return out + "\n";
}

std::string render_comparison_html(const nlohmann::json& comparison) {
    const std::string title = title_of(comparison);
    std::string body;
    if (comparison.contains("warning")) {
        body += html_notice(comparison.at("warning").get<std::string>(), "warning");
    }
    body += "<h1>" + escape_xml(title) + "</h1>\n";
    body += html_table({"Run", "Directory", "Model", "Model SHA-256", "Manifest hash"}, run_table(comparison));
    body += html_paragraph(statistics_sentence(comparison));

    body += "<h2>Model card</h2>\n";
    for (const auto& run : comparison.at("runs")) {
        body += "<h3>" + escape_xml(run.at("label").get<std::string>() + " (" + model_name(run) + ")") + "</h3>\n";
        body += html_model_card(build_model_card(run.at("manifest"), run.at("summary")));
    }
    if (!comparison.at("harness").at("same").get<bool>()) {
        body += html_paragraph("No claim between runs: their harness differs.");
    }
    body += html_claims(claimable(comparison));

    body += "<h2>Differences</h2>\n";
    auto between = rows_of_kind(comparison, "between runs");
    const auto within = rows_of_kind(comparison, "within run");
    std::vector<DeltaRow> rows = between;
    rows.insert(rows.end(), within.begin(), within.end());
    body += html_delta_table(rows);
    body += render_forest_plot(delta_forest_plot(rows, "differences", "Paired differences"));

    const auto slices = rows_of_kind(comparison, "between runs, slice");
    if (!slices.empty()) {
        body += "<h2>Differences by slice</h2>\n";
        body += html_paragraph("Exploratory: with many slices some intervals exclude 0 by chance alone, so no claim "
                               "rests on a slice.");
        body += html_delta_table(slices);
        body += render_forest_plot(delta_forest_plot(slices, "slice-differences", "Paired differences by slice"));
    }

    body += "<h2>Pairing</h2>\n<ul>\n";
    for (const auto& pairing : comparison.at("pairing")) {
        for (const auto& line : pairing_lines(pairing)) {
            body += "<li>" + escape_xml(line) + "</li>\n";
        }
    }
    body += "</ul>\n";

    body += "<h2>Charts</h2>\n";
    body += render_bar_chart(runs_by_mode_chart(comparison));
    for (const auto& run : comparison.at("runs")) {
        const std::string label = run.at("label").get<std::string>();
        std::string id = label;
        std::replace(id.begin(), id.end(), ' ', '-');
        body += "<h3>" + escape_xml(label + " (" + model_name(run) + ")") + "</h3>\n";
        body += render_run_charts_html(run.at("manifest"), run.at("summary"), id + "-", label + ": ");
    }
    return html_document(title, body);
}

}  // namespace medvlm
