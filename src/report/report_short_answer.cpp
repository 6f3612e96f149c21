#include "report/report_short_answer.hpp"

#include <fmt/format.h>

#include "report/markdown_format.hpp"

namespace medvlm {

std::string render_short_answer_results(const nlohmann::json& /*manifest*/, const nlohmann::json& summary) {
    std::string out;
    out += "## Results\n\n";
    out += "| Mode | n | exact_match | 95 % CI (Wilson) | token_f1 | token_recall | closed_accuracy | "
           "open_exact_match | Failed calls |\n";
    out += "|---|---:|---:|---|---:|---:|---:|---:|---:|\n";
    for (const auto& [mode, stats] : summary.at("modes").items()) {
        out += fmt::format("| {} | {} | {} | {} | {:.3f} | {:.3f} | {} (n={}) | {} (n={}) | {} |\n", mode,
                           stats.at("n").get<int64_t>(), percent(stats.at("exact_match").at("value").get<double>()),
                           interval_text(stats.at("exact_match").at("ci95")),
                           stats.at("token_f1").at("value").get<double>(),
                           stats.at("token_recall").at("value").get<double>(),
                           percent(stats.at("closed_accuracy").at("value").get<double>()),
                           stats.at("closed_accuracy").at("n").get<int64_t>(),
                           percent(stats.at("open_exact_match").at("value").get<double>()),
                           stats.at("open_exact_match").at("n").get<int64_t>(), stats.at("failed").get<int64_t>());
    }
    out += "\nMetric definitions are in manifest.json under `metric_definitions`.\n\n";
    return out;
}

}  // namespace medvlm
