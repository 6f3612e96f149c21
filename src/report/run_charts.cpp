#include "report/run_charts.hpp"

#include <algorithm>

#include <fmt/format.h>

#include "report/markdown_format.hpp"

namespace medvlm {
namespace {

const std::vector<std::string> kShortAnswerProportions = {"exact_match", "closed_accuracy", "open_exact_match"};

bool multiple_choice(const nlohmann::json& manifest) { return manifest.at("task") == "multiple-choice"; }

std::vector<std::string> run_modes(const nlohmann::json& manifest) {
    return manifest.at("protocol").at("modes").get<std::vector<std::string>>();
}

std::vector<std::string> languages(const nlohmann::json& summary) {
    return summary.at("languages").get<std::vector<std::string>>();
}

// A bar or forest row from a {value or accuracy, ci95} block.
void set_interval(const nlohmann::json& interval, std::optional<double>& lower, std::optional<double>& upper) {
    if (!interval.is_null()) {
        lower = interval.at("lower").get<double>();
        upper = interval.at("upper").get<double>();
    }
}

ChartBar bar_from(const std::string& series, double value, const nlohmann::json& interval) {
    ChartBar bar{series, value, std::nullopt, std::nullopt};
    set_interval(interval, bar.lower, bar.upper);
    return bar;
}

std::string interval_note(const nlohmann::json& summary) {
    const auto& statistics = summary.at("statistics");
    return fmt::format("Whiskers are 95 % intervals ({} for proportions, resampling by {}).",
                       statistics.at("proportion_interval").get<std::string>(),
                       statistics.at("resampling_unit").get<std::string>());
}

}  // namespace

std::vector<ReferenceLine> chance_references(const nlohmann::json& summary) {
    double random = summary.at("baselines").at("random").get<double>();
    double constant = 0;
    std::string letter;
    for (const auto& [mode, stats] : summary.at("modes").items()) {
        if (stats.at("n").get<int64_t>() == 0) {
            continue;
        }
        const auto& best = stats.at("baselines").at("best_constant_letter");
        if (best.at("accuracy").get<double>() >= constant) {
            constant = best.at("accuracy").get<double>();
            letter = best.at("letter").get<std::string>();
        }
        random = stats.at("baselines").at("random").get<double>();
    }
    return {{random, "random " + percent(random)}, {constant, "always " + letter + " " + percent(constant)}};
}

ForestPlot score_forest_plot(const nlohmann::json& manifest, const nlohmann::json& summary, const std::string& id_prefix,
                             const std::string& title_prefix) {
    ForestPlot plot;
    plot.id = id_prefix + "forest-plot";
    plot.title = title_prefix + "Scores with 95 % intervals";
    if (multiple_choice(manifest)) {
        for (const auto& mode : run_modes(manifest)) {
            const auto& stats = summary.at("modes").at(mode);
            if (stats.at("n").get<int64_t>() == 0) {
                continue;
            }
            ForestRow row{mode + ": accuracy", stats.at("accuracy").get<double>(), std::nullopt, std::nullopt};
            set_interval(stats.at("ci95"), row.lower, row.upper);
            plot.rows.push_back(row);
        }
        plot.references = chance_references(summary);
        plot.caption = "Accuracy on the original option order per mode. The dashed lines are the random and "
                       "best-constant-letter baselines; a score whose interval reaches them is not beyond chance. " +
                       interval_note(summary);
        return plot;
    }
    for (const auto& mode : run_modes(manifest)) {
        for (const auto& language : languages(summary)) {
            const auto& block = summary.at("metrics").at(mode).at(language);
            for (const auto& metric : kShortAnswerProportions) {
                const auto& value = block.at(metric);
                if (value.at("n").get<int64_t>() == 0) {
                    continue;
                }
                ForestRow row{fmt::format("{}, {}: {}", mode, language, metric), value.at("value").get<double>(),
                              std::nullopt, std::nullopt};
                set_interval(value.at("ci95"), row.lower, row.upper);
                plot.rows.push_back(row);
            }
        }
    }
    plot.caption = "Short-answer proportions per mode and language. Short answers have no option letters, so no "
                   "random or constant-letter baseline applies. " +
                   interval_note(summary);
    return plot;
}

BarChart ablation_chart(const nlohmann::json& manifest, const nlohmann::json& summary, const std::string& id_prefix,
                        const std::string& title_prefix) {
    BarChart chart;
    chart.id = id_prefix + "ablation-chart";
    chart.title = title_prefix + "Ablation modes side by side";
    if (multiple_choice(manifest)) {
        for (const auto& mode : run_modes(manifest)) {
            const auto& stats = summary.at("modes").at(mode);
            ChartGroup group{mode, {bar_from("accuracy (original order)", stats.at("accuracy").get<double>(), stats.at("ci95"))}};
            if (!stats.at("rotation_mean_accuracy").is_null()) {
                group.bars.push_back({"rotation-mean accuracy", stats.at("rotation_mean_accuracy").get<double>(),
                                      std::nullopt, std::nullopt});
            }
            chart.groups.push_back(group);
        }
        chart.references = chance_references(summary);
        chart.caption = "Each mode's accuracy on the original option order (with its interval) and averaged over the "
                        "option rotations. The dashed lines are the chance baselines. " +
                        interval_note(summary);
        return chart;
    }
    const bool several_languages = languages(summary).size() > 1;
    for (const auto& metric : kShortAnswerProportions) {
        ChartGroup group{metric, {}};
        for (const auto& mode : run_modes(manifest)) {
            for (const auto& language : languages(summary)) {
                const auto& value = summary.at("metrics").at(mode).at(language).at(metric);
                if (value.at("n").get<int64_t>() > 0) {
                    group.bars.push_back(bar_from(several_languages ? mode + ", " + language : mode,
                                                  value.at("value").get<double>(), value.at("ci95")));
                }
            }
        }
        chart.groups.push_back(group);
    }
    chart.caption = "Each short-answer proportion under every mode, so the image modes can be read against "
                    "text-only. " +
                    interval_note(summary);
    return chart;
}

std::optional<BarChart> letter_distribution_chart(const nlohmann::json& manifest, const nlohmann::json& summary,
                                                  const std::string& id_prefix, const std::string& title_prefix) {
    if (!multiple_choice(manifest)) {
        return std::nullopt;
    }
    std::vector<std::string> letters;
    for (const auto& [letter, count] : summary.at("baselines").at("label_counts").items()) {
        letters.push_back(letter);
    }
    double option_count = 0;
    for (const auto& [mode, stats] : summary.at("modes").items()) {
        for (const auto& [letter, count] : stats.at("per_letter_accuracy").items()) {
            if (std::find(letters.begin(), letters.end(), letter) == letters.end()) {
                letters.push_back(letter);
            }
        }
        option_count = std::max(option_count, static_cast<double>(stats.at("per_letter_accuracy").size()));
    }
    std::sort(letters.begin(), letters.end());
    letters.push_back("UNKNOWN");

    BarChart chart;
    chart.id = id_prefix + "letter-distribution";
    chart.title = title_prefix + "Letter distribution";
    for (const auto& letter : letters) {
        ChartGroup group{letter, {}};
        for (const auto& mode : run_modes(manifest)) {
            const auto& all = summary.at("modes").at(mode).at("all_rotations");
            const auto answered = all.at("answered").get<int64_t>();
            const auto count = all.at("shown_letter_distribution").value(letter, int64_t{0});
            group.bars.push_back({mode, answered == 0 ? 0.0 : static_cast<double>(count) / static_cast<double>(answered),
                                  std::nullopt, std::nullopt});
        }
        chart.groups.push_back(group);
    }
    if (option_count > 0) {
        chart.references.push_back({1 / option_count, "uniform " + percent(1 / option_count)});
    }
    chart.caption = "Share of answered calls (every rotation) choosing each shown letter, and UNKNOWN. A model without "
                    "letter bias stays near the uniform line when the gold answers are spread evenly over the letters.";
    return chart;
}

std::vector<BarChart> slice_charts(const nlohmann::json& manifest, const nlohmann::json& summary,
                                   const std::string& id_prefix, const std::string& title_prefix) {
    std::vector<BarChart> charts;
    const auto modes = run_modes(manifest);
    if (multiple_choice(manifest)) {
        for (const auto& [definition, table] : summary.at("slices").items()) {
            BarChart chart;
            chart.id = id_prefix + "slice-" + definition;
            chart.title = title_prefix + "Accuracy by " + definition;
            for (const auto& [value, row] : table.items()) {
                ChartGroup group{value + " (" + std::to_string(row.at("rows").get<int64_t>()) + " rows)", {}};
                for (const auto& mode : modes) {
                    const auto& result = row.at("modes").at(mode);
                    group.bars.push_back(bar_from(mode, result.at("accuracy").get<double>(), result.at("ci95")));
                }
                chart.groups.push_back(group);
            }
            chart.references = chance_references(summary);
            chart.caption = "Accuracy on the original option order per slice value. " + interval_note(summary);
            charts.push_back(chart);
        }
        return charts;
    }
    const bool several_languages = languages(summary).size() > 1;
    for (const auto& slice : summary.at("slice_definitions")) {
        const std::string definition = slice.at("name").get<std::string>();
        BarChart chart;
        chart.id = id_prefix + "slice-" + definition;
        chart.title = title_prefix + "exact_match by " + definition;
        std::map<std::string, ChartGroup> groups;
        std::vector<std::string> order;
        for (const auto& mode : modes) {
            for (const auto& language : languages(summary)) {
                for (const auto& [value, block] : summary.at("slices").at(mode).at(language).at(definition).items()) {
                    const auto& exact = block.at("exact_match");
                    if (!groups.contains(value)) {
                        groups[value] = {value, {}};
                        order.push_back(value);
                    }
                    groups[value].bars.push_back(bar_from(several_languages ? mode + ", " + language : mode,
                                                          exact.at("value").get<double>(), exact.at("ci95")));
                }
            }
        }
        std::sort(order.begin(), order.end());
        for (const auto& value : order) {
            chart.groups.push_back(groups[value]);
        }
        chart.caption = "exact_match per slice value. " + interval_note(summary);
        charts.push_back(chart);
    }
    return charts;
}

ForestPlot delta_forest_plot(const std::vector<DeltaRow>& rows, const std::string& id, const std::string& title) {
    ForestPlot plot;
    plot.id = id;
    plot.title = title;
    plot.scale = {true, -0.05, 0.05};
    for (const auto& row : rows) {
        if (!row.proportion || row.paired.is_null() || row.paired.at("pairs").get<int64_t>() == 0) {
            continue;
        }
        ForestRow forest{row.comparison, row.paired.at("delta").get<double>(), std::nullopt, std::nullopt};
        set_interval(row.paired.at("ci95"), forest.lower, forest.upper);
        plot.rows.push_back(forest);
    }
    plot.references = {{0, "no difference"}};
    plot.caption = "Paired differences of proportions with their 95 % intervals. An interval that crosses the 0 line "
                   "means no clear difference, whatever the sign of the estimate.";
    return plot;
}

}  // namespace medvlm
