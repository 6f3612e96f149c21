#include "report/model_card.hpp"

#include <algorithm>

#include <fmt/format.h>

#include "core/text.hpp"
#include "report/markdown_format.hpp"

namespace medvlm {
namespace {

// The short-answer metrics a model card shows, in order.
const std::vector<std::string> kCardMetrics = {"exact_match", "closed_accuracy", "open_token_recall"};
// The short-answer metrics of the paired comparisons, in order, and whether
// each is a proportion.
const std::vector<std::pair<std::string, bool>> kComparedMetrics = {
    {"exact_match", true}, {"token_f1", false}, {"closed_accuracy", true}, {"open_token_recall", false}};

// token_f1 and token_recall (and their open_ forms) are means; every other
// short-answer metric is a proportion.
bool is_proportion_metric(const std::string& metric) { return metric.find("token_") == std::string::npos; }

std::vector<std::string> run_modes(const nlohmann::json& manifest) {
    return manifest.at("protocol").at("modes").get<std::vector<std::string>>();
}

bool multiple_choice(const nlohmann::json& manifest) { return manifest.at("task") == "multiple-choice"; }

// "19.3-22.9 % (wilson)" or "n/a".
std::string interval_cell(const nlohmann::json& block, bool proportion) {
    const auto& interval = block.at("ci95");
    if (interval.is_null()) {
        return "n/a";
    }
    const std::string method = interval.at("method").get<std::string>();
    if (proportion) {
        return interval_text(interval) + " (" + method + ")";
    }
    return fmt::format("{:.3f}-{:.3f} ({})", interval.at("lower").get<double>(), interval.at("upper").get<double>(),
                       method);
}

std::string value_text(double value, bool proportion) {
    return proportion ? percent(value) : fmt::format("{:.3f}", value);
}

std::string telemetry_line(const nlohmann::json& summary) {
    const auto& t = summary.at("telemetry");
    std::string line = fmt::format(
        "Telemetry: {} rows, {} with image filenames, {} with every image loaded, {} zero-image rows; {} images "
        "loaded ({} unique)",
        t.at("rows").get<int64_t>(), t.at("rows_with_image_filenames").get<int64_t>(),
        t.at("rows_with_loaded_images").get<int64_t>(), t.at("zero_image_rows").get<int64_t>(),
        t.at("images_loaded").get<int64_t>(), t.at("unique_images").get<int64_t>());
    if (summary.contains("image_proof")) {
        for (const auto& [mode, proof] : summary.at("image_proof").at("modes").items()) {
            if (proof.contains("rows_with_added_tokens")) {
                line += fmt::format("; {}: images added prompt tokens in {} of {} rows (against {})", mode,
                                    proof.at("rows_with_added_tokens").get<int64_t>(), proof.at("rows").get<int64_t>(),
                                    proof.at("compared_with").get<std::string>());
            }
        }
    }
    line += summary.at("valid").get<bool>() ? "; run valid." : "; RUN INVALID.";
    return line;
}

std::vector<std::string> notices(const nlohmann::json& manifest, const nlohmann::json& summary) {
    std::vector<std::string> out;
    if (summary.value("test_model", false)) {
        out.push_back("Test model: random weights, every score is noise.");
    }
    if (manifest.at("data").value("stand_in_images", false)) {
        out.push_back("Stand-in images: no score says anything about the real images.");
    }
    if (!summary.at("valid").get<bool>()) {
        out.push_back("Invalid run: do not report these numbers.");
    }
    return out;
}

void add_multiple_choice_rows(const nlohmann::json& manifest, const nlohmann::json& summary, ModelCard& card) {
    const std::string benchmark = benchmark_label(manifest);
    for (const auto& mode : run_modes(manifest)) {
        const auto& stats = summary.at("modes").at(mode);
        std::vector<std::string> findings;
        for (const auto& item : summary.at("interpretation")) {
            if (item.at("subject") == mode) {
                findings.push_back(item.at("finding").get<std::string>());
            }
        }
        const auto n = stats.at("n").get<int64_t>();
        card.rows.push_back({benchmark, mode,
                             n == 0 ? "n/a" : fmt::format("{} accuracy (n={})", percent(stats.at("accuracy").get<double>()), n),
                             n == 0 ? "n/a" : interval_cell(stats, true), findings.empty() ? "-" : join(findings, "; ")});
    }
}

// The image+text row's reading of the image gain for one language and
// metric, such as "image+text minus text-only: no clear difference".
std::string image_gain_reading(const nlohmann::json& summary, const std::string& language, const std::string& metric) {
    const auto& gain = summary.at("comparisons").at("image_gain");
    if (gain.is_null() || !gain.contains(language)) {
        return "-";
    }
    const DeltaRow row{"", "image+text", "text-only", is_proportion_metric(metric), gain.at(language).at(metric)};
    return fmt::format("image+text minus text-only: {} ({}, 95 % CI {})", delta_meaning(row), delta_text(row),
                       delta_interval_text(row));
}

void add_short_answer_rows(const nlohmann::json& manifest, const nlohmann::json& summary, ModelCard& card) {
    const std::string benchmark = fmt::format("{} {}", manifest.at("benchmark").get<std::string>(),
                                              manifest.at("data").at("split").get<std::string>());
    const bool test_model = summary.value("test_model", false);
    for (const auto& mode : run_modes(manifest)) {
        for (const auto& language : summary.at("languages").get<std::vector<std::string>>()) {
            const auto& block = summary.at("metrics").at(mode).at(language);
            for (const auto& metric : kCardMetrics) {
                const auto& value = block.at(metric);
                const auto n = value.at("n").get<int64_t>();
                const bool proportion = is_proportion_metric(metric);
                std::string reading = mode == "image+text" ? image_gain_reading(summary, language, metric) : "-";
                if (test_model) {
                    reading = reading == "-" ? "test model: noise" : reading + "; test model: noise";
                }
                card.rows.push_back(
                    {benchmark + " (" + language + ")", mode,
                     n == 0 ? "n/a" : fmt::format("{} {} (n={})", value_text(value.at("value").get<double>(), proportion), metric, n),
                     n == 0 ? "n/a" : interval_cell(value, proportion), reading});
            }
        }
    }
}

bool has_finding(const nlohmann::json& summary, const std::string& finding) {
    const auto& items = summary.at("interpretation");
    return std::any_of(items.begin(), items.end(), [&](const nlohmann::json& item) { return item.at("finding") == finding; });
}

}  // namespace

std::string benchmark_label(const nlohmann::json& manifest) {
    const auto& data = manifest.at("data");
    std::string label = manifest.at("benchmark").get<std::string>() + " " + data.at("split").get<std::string>();
    const std::string lang = data.at("lang").get<std::string>();
    return lang.empty() ? label : label + " (" + lang + ")";
}

ModelCard build_model_card(const nlohmann::json& manifest, const nlohmann::json& summary) {
    ModelCard card;
    if (multiple_choice(manifest)) {
        add_multiple_choice_rows(manifest, summary, card);
    } else {
        add_short_answer_rows(manifest, summary, card);
    }
    card.telemetry = telemetry_line(summary);
    card.notices = notices(manifest, summary);
    return card;
}

std::vector<DeltaRow> run_delta_rows(const nlohmann::json& manifest, const nlohmann::json& summary,
                                     const std::string& prefix) {
    std::vector<DeltaRow> rows;
    const auto& comparisons = summary.at("comparisons");
    const std::vector<std::pair<std::string, std::string>> pairs = {{"image_gain", "text-only"},
                                                                     {"shuffled_image_gap", "shuffled-image"}};
    for (const auto& [key, subtrahend] : pairs) {
        const auto& comparison = comparisons.at(key);
        if (comparison.is_null()) {
            continue;
        }
        const std::string name = prefix + "image+text minus " + subtrahend;
        if (multiple_choice(manifest)) {
            rows.push_back({name + ", accuracy (original order)", "image+text", subtrahend, true, comparison});
            continue;
        }
        for (const auto& [language, metrics] : comparison.items()) {
            for (const auto& [metric, proportion] : kComparedMetrics) {
                rows.push_back({name + ", " + language + ", " + metric, "image+text", subtrahend, proportion,
                                metrics.at(metric)});
            }
        }
    }
    return rows;
}

std::vector<DeltaRow> claimable_run_rows(const nlohmann::json& manifest, const nlohmann::json& summary,
                                         const std::string& prefix) {
    std::vector<DeltaRow> out;
    if (manifest.at("data").value("stand_in_images", false) || !summary.at("valid").get<bool>()) {
        return out;
    }
    for (const auto& row : run_delta_rows(manifest, summary, prefix)) {
        if (!delta_is_clear(row)) {
            continue;
        }
        if (multiple_choice(manifest)) {
            // Image claims follow the interpretation rules: only a higher
            // image+text score above the chance band supports one.
            const std::string finding = row.subtrahend == "text-only" ? "images likely help" : "correct images matter";
            if (row.paired.at("decision") != "higher" || !has_finding(summary, finding)) {
                continue;
            }
        }
        out.push_back(row);
    }
    return out;
}

std::string render_model_card_markdown(const ModelCard& card) {
    std::string out;
    for (const auto& notice : card.notices) {
        out += "> **" + notice + "**\n";
    }
    if (!card.notices.empty()) {
        out += "\n";
    }
    out += "| Benchmark | Mode | Score | 95 % CI | Interpretation |\n|---|---|---:|---|---|\n";
    for (const auto& row : card.rows) {
        out += fmt::format("| {} | {} | {} | {} | {} |\n", markdown_cell(row.benchmark), markdown_cell(row.mode),
                           markdown_cell(row.score), markdown_cell(row.interval), markdown_cell(row.interpretation));
    }
    out += "\n" + card.telemetry + "\n\n";
    return out;
}

std::string render_claims_markdown(const std::vector<DeltaRow>& claimable) {
    if (claimable.empty()) {
        return "No claim of superiority: no paired 95 % interval excludes 0.\n\n";
    }
    std::string out = "Claims supported by a paired 95 % interval that excludes 0:\n\n";
    for (const auto& row : claimable) {
        out += "- " + superiority_claim(row) + ".\n";
    }
    return out + "\n";
}

}  // namespace medvlm
