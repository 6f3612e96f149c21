#include "report/report_short_answer.hpp"

#include <fmt/format.h>

#include <map>
#include <vector>

#include "report/markdown_format.hpp"

namespace medvlm {
namespace {

constexpr const char* kNoValue = "–";

// One column of the metrics table: a mode and a question language.
struct Column {
    std::string mode;
    std::string language;
    const nlohmann::json* block = nullptr;
};

std::string language_label(const std::string& language) {
    if (language == "en") {
        return "English";
    }
    if (language == "zh") {
        return "Chinese";
    }
    return language;
}

// Slice values come from the records, so a '|' must not end the cell.
std::string escape_cell(const std::string& text) {
    std::string out;
    for (const char c : text) {
        out += c == '|' ? "\\|" : std::string(1, c);
    }
    return out;
}

// "50.0 % (41.2-58.8 %; n=120)", or "50.0 %" when the interval and n are left out.
std::string proportion_cell(const nlohmann::json& proportion, bool detailed) {
    const auto n = proportion.at("n").get<int64_t>();
    if (n == 0) {
        return kNoValue;
    }
    const std::string value = percent(proportion.at("value").get<double>());
    if (!detailed) {
        return value;
    }
    return fmt::format("{} ({}; n={})", value, interval_text(proportion.at("ci95")), n);
}

std::string proportion_with_n(const nlohmann::json& proportion) {
    const auto n = proportion.at("n").get<int64_t>();
    return n == 0 ? kNoValue : fmt::format("{} (n={})", percent(proportion.at("value").get<double>()), n);
}

std::string mean_cell(const nlohmann::json& mean, bool with_n) {
    const auto n = mean.at("n").get<int64_t>();
    if (n == 0) {
        return kNoValue;
    }
    const std::string value = fmt::format("{:.3f}", mean.at("value").get<double>());
    return with_n ? fmt::format("{} (n={})", value, n) : value;
}

std::string count_cell(const nlohmann::json& count) {
    return count.at("n").get<int64_t>() == 0
               ? kNoValue
               : fmt::format("{} of {}", count.at("count").get<int64_t>(), count.at("n").get<int64_t>());
}

std::string table_row(const std::string& label, const std::vector<std::string>& cells) {
    std::string row = "| " + label;
    for (const auto& cell : cells) {
        row += " | " + cell;
    }
    return row + " |\n";
}

std::string table_rule(size_t value_columns) {
    std::string rule = "|---";
    for (size_t i = 0; i < value_columns; ++i) {
        rule += "|---:";
    }
    return rule + "|\n";
}

void write_closed_open_note(const nlohmann::json& summary, std::string& out) {
    const auto& closed_open = summary.at("closed_open");
    if (closed_open.contains("note")) {
        out += "> **Closed/open derived.** " + closed_open.at("note").get<std::string>() + ".\n\n";
    } else {
        out += "Closed and open questions follow each record's `answer_type`.\n\n";
    }
}

void write_metrics_table(const std::vector<Column>& columns, std::string& out) {
    std::string header = "| Metric";
    for (const auto& column : columns) {
        header += " | " + column.mode + ", " + language_label(column.language);
    }
    out += header + " |\n" + table_rule(columns.size());

    using CellFormat = std::string (*)(const nlohmann::json&);
    const std::vector<std::pair<std::string, CellFormat>> rows = {
        {"n (answered calls)", [](const nlohmann::json& b) { return std::to_string(b.at("n").get<int64_t>()); }},
        {"exact_match", [](const nlohmann::json& b) { return proportion_cell(b.at("exact_match"), true); }},
        {"token_f1", [](const nlohmann::json& b) { return mean_cell(b.at("token_f1"), false); }},
        {"token_recall", [](const nlohmann::json& b) { return mean_cell(b.at("token_recall"), false); }},
        {"closed_accuracy", [](const nlohmann::json& b) { return proportion_cell(b.at("closed_accuracy"), true); }},
        {"closed_yes_no_accuracy",
         [](const nlohmann::json& b) { return proportion_cell(b.at("closed_yes_no_accuracy"), true); }},
        {"closed_no_polar_answer", [](const nlohmann::json& b) { return count_cell(b.at("closed_no_polar_answer")); }},
        {"closed_other_exact_match",
         [](const nlohmann::json& b) { return proportion_cell(b.at("closed_other_exact_match"), true); }},
        {"open_exact_match", [](const nlohmann::json& b) { return proportion_cell(b.at("open_exact_match"), true); }},
        {"open_token_f1", [](const nlohmann::json& b) { return mean_cell(b.at("open_token_f1"), true); }},
        {"open_token_recall", [](const nlohmann::json& b) { return mean_cell(b.at("open_token_recall"), true); }},
        {"empty replies", [](const nlohmann::json& b) { return std::to_string(b.at("empty_replies").get<int64_t>()); }},
        {"truncated replies", [](const nlohmann::json& b) { return std::to_string(b.at("truncated").get<int64_t>()); }},
        {"failed calls", [](const nlohmann::json& b) { return std::to_string(b.at("failed").get<int64_t>()); }},
    };
    for (const auto& [label, format] : rows) {
        std::vector<std::string> cells;
        for (const auto& column : columns) {
            cells.push_back(format(*column.block));
        }
        out += table_row(label, cells);
    }
    out += "\n";
}

// One table per slice: a row per slice value and, for each metric, one
// column per language next to each other.
void write_slice_table(const std::string& slice, const nlohmann::json& by_language,
                       const std::vector<std::string>& languages, std::string& out) {
    using CellFormat = std::string (*)(const nlohmann::json&);
    const std::vector<std::pair<std::string, CellFormat>> metrics = {
        {"n", [](const nlohmann::json& b) { return std::to_string(b.at("n").get<int64_t>()); }},
        {"exact_match", [](const nlohmann::json& b) { return proportion_cell(b.at("exact_match"), false); }},
        {"token_f1", [](const nlohmann::json& b) { return mean_cell(b.at("token_f1"), false); }},
        {"token_recall", [](const nlohmann::json& b) { return mean_cell(b.at("token_recall"), false); }},
        {"closed_accuracy", [](const nlohmann::json& b) { return proportion_with_n(b.at("closed_accuracy")); }},
        {"open_token_recall", [](const nlohmann::json& b) { return mean_cell(b.at("open_token_recall"), true); }},
    };
    const bool several = languages.size() > 1;

    std::vector<std::string> headers;
    for (const auto& [metric, format] : metrics) {
        for (const auto& language : languages) {
            headers.push_back(several ? metric + " " + language : metric);
        }
    }
    out += "#### " + slice + "\n\n" + table_row(slice, headers) + table_rule(headers.size());

    // The union of the values seen in any language, in sorted order.
    std::map<std::string, bool> values;
    for (const auto& language : languages) {
        for (const auto& [value, block] : by_language.at(language).at(slice).items()) {
            values[value] = true;
        }
    }
    for (const auto& [value, seen] : values) {
        std::vector<std::string> cells;
        for (const auto& [metric, format] : metrics) {
            for (const auto& language : languages) {
                const auto& language_values = by_language.at(language).at(slice);
                cells.push_back(language_values.contains(value) ? format(language_values.at(value)) : kNoValue);
            }
        }
        out += table_row(escape_cell(value), cells);
    }
    out += "\n";
}

}  // namespace

std::string render_short_answer_results(const nlohmann::json& manifest, const nlohmann::json& summary) {
    const auto languages = summary.at("languages").get<std::vector<std::string>>();
    const auto modes = manifest.at("protocol").at("modes").get<std::vector<std::string>>();
    std::vector<Column> columns;
    for (const auto& mode : modes) {
        for (const auto& language : languages) {
            columns.push_back({mode, language, &summary.at("metrics").at(mode).at(language)});
        }
    }

    std::string out = "## Results\n\n";
    write_closed_open_note(summary, out);
    if (languages.size() > 1) {
        out += "English and Chinese questions are scored and reported separately; no figure pools them.\n\n";
    }
    out += "### Metrics\n\n";
    write_metrics_table(columns, out);
    out += "Proportions show a Wilson 95 % interval and their n. Definitions of every metric and slice are in "
           "summary.json under `metric_definitions` and `slice_definitions`.\n\n";

    for (const auto& mode : modes) {
        out += "### Slices, " + mode + "\n\n";
        for (const auto& slice : summary.at("slice_definitions")) {
            write_slice_table(slice.at("name").get<std::string>(), summary.at("slices").at(mode), languages, out);
        }
    }
    return out;
}

}  // namespace medvlm
