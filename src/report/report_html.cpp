#include "report/report_html.hpp"

#include <fmt/format.h>

#include "report/html_page.hpp"
#include "report/model_card.hpp"
#include "report/run_charts.hpp"
#include "report/svg_chart.hpp"

namespace medvlm {
namespace {

std::string run_header(const nlohmann::json& manifest, const nlohmann::json& summary) {
    std::string out;
    if (!summary.at("valid").get<bool>()) {
        std::string reasons;
        for (const auto& reason : summary.at("invalid_reasons")) {
            reasons += reason.get<std::string>() + ". ";
        }
        out += html_notice("INVALID RUN. " + reasons + "Do not report these numbers.", "warning");
    }
    const auto& engine = manifest.at("engine");
    const auto& data = manifest.at("data");
    std::vector<std::vector<std::string>> rows = {
        {"Data", fmt::format("{} (SHA-256 {}), split {}{}", data.at("file").get<std::string>(),
                             data.at("sha256").get<std::string>().substr(0, 12), data.at("split").get<std::string>(),
                             data.at("lang").get<std::string>().empty() ? "" : ", language " + data.at("lang").get<std::string>())},
        {"Engine", fmt::format("{} {}", engine.value("kind", "?"), engine.value("model", engine.value("model_name", "?")))},
        {"Decoding", fmt::format("greedy, max {} new tokens; scoring {}",
                                 manifest.at("decoding").at("max_new_tokens").get<int>(),
                                 manifest.at("protocol").at("scoring").get<std::string>())},
        {"Statistics", summary.at("statistics").at("reason").get<std::string>() + "; resampling by " +
                           summary.at("statistics").at("resampling_unit").get<std::string>()},
        {"medvlm", fmt::format("{} (commit {})", manifest.at("medvlm").at("version").get<std::string>(),
                               manifest.at("medvlm").at("git_commit").get<std::string>())},
    };
    return out + html_table({"Run", ""}, rows);
}

}  // namespace

std::string render_run_charts_html(const nlohmann::json& manifest, const nlohmann::json& summary,
                                   const std::string& id_prefix, const std::string& title_prefix) {
    std::string out = render_forest_plot(score_forest_plot(manifest, summary, id_prefix, title_prefix));
    out += render_bar_chart(ablation_chart(manifest, summary, id_prefix, title_prefix));
    if (const auto letters = letter_distribution_chart(manifest, summary, id_prefix, title_prefix)) {
        out += render_bar_chart(*letters);
    } else {
        out += html_paragraph("Letter distribution: not applicable, short answers have no option letters.");
    }
    for (const auto& chart : slice_charts(manifest, summary, id_prefix, title_prefix)) {
        out += render_bar_chart(chart);
    }
    return out;
}

std::string render_run_report_html(const nlohmann::json& manifest, const nlohmann::json& summary) {
    const std::string title = "medvlm run: " + benchmark_label(manifest);
    std::string body = "<h1>" + escape_xml(title) + "</h1>\n";
    body += run_header(manifest, summary);

    body += "<h2>Model card</h2>\n";
    body += html_model_card(build_model_card(manifest, summary));
    body += html_claims(claimable_run_rows(manifest, summary, ""));
    if (summary.contains("interpretation")) {
        body += "<ul>\n";
        for (const auto& item : summary.at("interpretation")) {
            body += "<li>" + escape_xml(item.at("statement").get<std::string>()) + "</li>\n";
        }
        body += "</ul>\n";
    }

    const auto rows = run_delta_rows(manifest, summary, "");
    if (!rows.empty()) {
        body += "<h2>Comparisons between modes</h2>\n";
        body += html_delta_table(rows);
        body += render_forest_plot(delta_forest_plot(rows, "mode-differences", "Differences between modes"));
    }

    body += "<h2>Charts</h2>\n";
    body += render_run_charts_html(manifest, summary, "", "");
    body += html_paragraph("Every number on this page is in summary.json; report.md has the full tables.");
    return html_document(title, body);
}

}  // namespace medvlm
