#include "report/html_page.hpp"

#include <algorithm>

#include <fmt/format.h>

#include "report/svg_chart.hpp"

namespace medvlm {
namespace {

constexpr const char* kStyle = R"(
body { font-family: sans-serif; font-size: 14px; color: #1a1a1a; margin: 24px auto; max-width: 1100px; padding: 0 16px; }
h1 { font-size: 22px; } h2 { font-size: 18px; margin-top: 32px; border-bottom: 1px solid #cccccc; } h3 { font-size: 15px; }
table { border-collapse: collapse; margin: 8px 0 16px; }
th, td { border: 1px solid #cccccc; padding: 4px 8px; text-align: left; vertical-align: top; }
th { background: #f2f2f2; } td.number { text-align: right; white-space: nowrap; }
.warning { background: #fde8e8; border-left: 6px solid #b00020; padding: 8px 12px; margin: 12px 0; font-weight: bold; }
.notice { background: #fff6dd; border-left: 6px solid #e69f00; padding: 8px 12px; margin: 12px 0; }
figure.chart { margin: 16px 0 24px; } figure.chart h3 { margin: 0 0 4px; }
figcaption { font-size: 12px; color: #444444; max-width: 760px; }
svg .tick, svg .reference-label { font-size: 11px; }
)";

}  // namespace

std::string html_document(const std::string& title, const std::string& body) {
    return fmt::format(
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
        "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'; "
        "base-uri 'none'; form-action 'none'\">\n"
        "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>{}</title>\n"
        "<style>{}</style>\n</head>\n<body>\n{}</body>\n</html>\n",
        escape_xml(title), kStyle, body);
}

std::string html_table(const std::vector<std::string>& header, const std::vector<std::vector<std::string>>& rows,
                       const std::vector<size_t>& numeric_columns) {
    std::string out = "<table>\n<thead><tr>";
    for (const auto& column : header) {
        out += "<th>" + escape_xml(column) + "</th>";
    }
    out += "</tr></thead>\n<tbody>\n";
    for (const auto& row : rows) {
        out += "<tr>";
        for (size_t i = 0; i < row.size(); ++i) {
            const bool numeric = std::find(numeric_columns.begin(), numeric_columns.end(), i) != numeric_columns.end();
            out += (numeric ? "<td class=\"number\">" : "<td>") + escape_xml(row[i]) + "</td>";
        }
        out += "</tr>\n";
    }
    return out + "</tbody>\n</table>\n";
}

std::string html_notice(const std::string& text, const std::string& kind) {
    return "<div class=\"" + escape_xml(kind) + "\">" + escape_xml(text) + "</div>\n";
}

std::string html_paragraph(const std::string& text) { return "<p>" + escape_xml(text) + "</p>\n"; }

std::string html_model_card(const ModelCard& card) {
    std::string out;
    for (const auto& notice : card.notices) {
        out += html_notice(notice, "notice");
    }
    std::vector<std::vector<std::string>> rows;
    for (const auto& row : card.rows) {
        rows.push_back({row.benchmark, row.mode, row.score, row.interval, row.interpretation});
    }
    out += html_table({"Benchmark", "Mode", "Score", "95 % CI", "Interpretation"}, rows, {2});
    return out + html_paragraph(card.telemetry);
}

std::string html_claims(const std::vector<DeltaRow>& claimable) {
    if (claimable.empty()) {
        return html_paragraph("No claim of superiority: no paired 95 % interval excludes 0.");
    }
    std::string out = html_paragraph("Claims supported by a paired 95 % interval that excludes 0:") + "<ul>\n";
    for (const auto& row : claimable) {
        out += "<li>" + escape_xml(superiority_claim(row)) + ".</li>\n";
    }
    return out + "</ul>\n";
}

std::string html_delta_table(const std::vector<DeltaRow>& rows) {
    std::vector<std::vector<std::string>> cells;
    for (const auto& row : rows) {
        const bool paired = !row.paired.is_null() && row.paired.at("pairs").get<int64_t>() > 0;
        cells.push_back({row.comparison + (paired ? fmt::format(" (n={})", row.paired.at("pairs").get<int64_t>())
                                                  : " (no pairs)"),
                         delta_text(row), delta_interval_text(row), mcnemar_text(row.paired), delta_meaning(row)});
    }
    return html_table({"Comparison", "Delta", "95 % CI", "p (McNemar)", "Meaning"}, cells, {1, 3});
}

}  // namespace medvlm
