#include "report/report_multiple_choice.hpp"

#include <fmt/format.h>

#include "report/markdown_format.hpp"

namespace medvlm {

std::string render_multiple_choice_results(const nlohmann::json& /*manifest*/, const nlohmann::json& summary) {
    std::string out;
    const auto& baselines = summary.at("baselines");
    out += "## Results\n\n";
    out += "| Mode | n | Accuracy | 95 % CI (Wilson) | Unknown | Truncated | Failed calls |\n";
    out += "|---|---:|---:|---|---:|---:|---:|\n";
    for (const auto& [mode, stats] : summary.at("modes").items()) {
        out += fmt::format("| {} | {} | {} | {} | {} | {} | {} |\n", mode, stats.at("n").get<int64_t>(),
                           percent(stats.at("accuracy").get<double>()), interval_text(stats.at("ci95")),
                           percent(stats.at("unknown_rate").get<double>()),
                           percent(stats.at("truncation_rate").get<double>()), stats.at("failed").get<int64_t>());
    }
    out += fmt::format("\nBaselines on these rows: random {}, always answering \"{}\" {} (the most common label).\n\n",
                       percent(baselines.at("random").get<double>()),
                       baselines.at("best_constant_letter").at("letter").get<std::string>(),
                       percent(baselines.at("best_constant_letter").at("accuracy").get<double>()));
    return out;
}

}  // namespace medvlm
