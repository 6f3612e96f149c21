#include "report/report_multiple_choice.hpp"

#include <algorithm>

#include <fmt/format.h>

#include "core/text.hpp"
#include "report/markdown_format.hpp"
#include "report/model_card.hpp"

namespace medvlm {
namespace {

// How many canary replies the report quotes per mode; summary.json lists all.
constexpr size_t kCanaryRepliesShown = 20;

std::vector<std::string> run_modes(const nlohmann::json& manifest) {
    return manifest.at("protocol").at("modes").get<std::vector<std::string>>();
}

std::vector<std::string> option_letters(const nlohmann::json& summary) {
    std::vector<std::string> letters;
    for (const auto& [letter, unused] : summary.at("baselines").at("label_counts").items()) {
        letters.push_back(letter);
    }
    // Letters no evaluated row has as its label still appear in per-mode tables.
    for (const auto& [mode, stats] : summary.at("modes").items()) {
        for (const auto& [letter, unused] : stats.at("per_letter_accuracy").items()) {
            if (std::find(letters.begin(), letters.end(), letter) == letters.end()) {
                letters.push_back(letter);
            }
        }
    }
    std::sort(letters.begin(), letters.end());
    return letters;
}

std::string optional_percent(const nlohmann::json& value) {
    return value.is_null() ? "n/a" : percent(value.get<double>());
}

// "19.3-22.9 % (wilson)", or "n/a" without an interval.
std::string interval_cell(const nlohmann::json& interval) {
    return interval.is_null() ? "n/a" : interval_text(interval) + " (" + interval.at("method").get<std::string>() + ")";
}

// A paired difference of two accuracies: "+10.0 pts (-2.0 to +22.0 pts)".
std::string gain_cell(const nlohmann::json& paired) {
    if (paired.is_null() || paired.at("pairs").get<int64_t>() == 0) {
        return "n/a";
    }
    return points_text(paired.at("delta").get<double>()) + " (" + difference_interval_text(paired.at("ci95")) + ")";
}

std::string accuracy_cell(const nlohmann::json& count) {
    const auto n = count.at("n").get<int64_t>();
    return n == 0 ? "n/a (0)" : fmt::format("{} ({})", percent(count.at("accuracy").get<double>()), n);
}

void write_interpretation(const nlohmann::json& summary, std::string& out) {
    out += "## Results\n\n";
    out += "Score is the accuracy on the original option order. Every finding is " +
           summary.at("interpretation_basis").get<std::string>() +
           ": a difference counts only when its whole interval is on one side of 0, and a score counts as above "
           "chance only when its whole interval is above the chance band.\n\n";
    for (const auto& item : summary.at("interpretation")) {
        out += "- " + item.at("statement").get<std::string>() + "\n";
    }
    out += "\n";
}

void write_mode_comparisons(const nlohmann::json& manifest, const nlohmann::json& summary, std::string& out) {
    const auto rows = run_delta_rows(manifest, summary, "");
    if (rows.empty()) {
        return;
    }
    out += "### Comparisons between modes\n\n";
    out += "Paired by row on the original option order. The interval is a " +
           summary.at("statistics").at("difference_interval").get<std::string>() +
           " percentile interval; \"no clear difference\" means it contains 0.\n\n";
    out += render_delta_table(rows) + "\n";
}

void write_accuracy_table(const nlohmann::json& manifest, const nlohmann::json& summary, std::string& out) {
    out += "## Accuracy, rotations and baselines\n\n";
    out += "Accuracy, unknowns and truncation are on the original option order. The rotation-mean accuracy averages "
           "the accuracy of each cyclic option order; semantic consistency is the share of rows that choose the same "
           "option under every rotation. The baselines are computed on the rows each mode answered.\n\n";
    out += "| Mode | n | Accuracy | 95 % CI | Rotation-mean accuracy | Semantic consistency | Unknown | "
           "Truncated | Failed calls | Random | Best constant letter | Majority label |\n";
    out += "|---|---:|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|\n";

    for (const auto& mode : run_modes(manifest)) {
        const auto& stats = summary.at("modes").at(mode);
        const auto& baselines = stats.at("baselines");
        const auto& consistency = stats.at("semantic_consistency");
        out += fmt::format(
            "| {} | {} | {} | {} | {} | {} | {} | {} | {} | {} | \"{}\" {} | \"{}\" {} |\n", mode,
            stats.at("n").get<int64_t>(), percent(stats.at("accuracy").get<double>()), interval_cell(stats.at("ci95")),
            optional_percent(stats.at("rotation_mean_accuracy")),
            consistency.is_null() ? "n/a (1 rotation)" : percent(consistency.at("value").get<double>()),
            percent(stats.at("unknown_rate").get<double>()), percent(stats.at("truncation_rate").get<double>()),
            stats.at("failed").get<int64_t>(), percent(baselines.at("random").get<double>()),
            baselines.at("best_constant_letter").at("letter").get<std::string>(),
            percent(baselines.at("best_constant_letter").at("accuracy").get<double>()),
            baselines.at("majority_label").at("letter").get<std::string>(),
            percent(baselines.at("majority_label").at("share").get<double>()));
    }

    const auto& baselines = summary.at("baselines");
    out += fmt::format("\nBaselines on all {} evaluated rows: random {}, always answering \"{}\" {} (the most common "
                       "label).",
                       baselines.at("rows").get<int64_t>(), percent(baselines.at("random").get<double>()),
                       baselines.at("best_constant_letter").at("letter").get<std::string>(),
                       percent(baselines.at("best_constant_letter").at("accuracy").get<double>()));
    std::vector<std::string> counts;
    for (const auto& [letter, count] : baselines.at("label_counts").items()) {
        counts.push_back(letter + " " + std::to_string(count.get<int64_t>()));
    }
    out += " Label counts: " + join(counts, ", ") + ".";

    out += "\n\n";
}

void write_letter_tables(const nlohmann::json& manifest, const nlohmann::json& summary, std::string& out) {
    const auto letters = option_letters(summary);
    // "| Mode | A | ... | E | extra columns |" and its alignment row.
    const auto header = [&](const std::vector<std::string>& extra_columns) {
        std::string row = "| Mode |";
        std::string rule = "|---|";
        for (const auto& letter : letters) {
            row += " " + letter + " |";
            rule += "---:|";
        }
        for (const auto& column : extra_columns) {
            row += " " + column + " |";
            rule += "---:|";
        }
        return row + "\n" + rule + "\n";
    };

    out += "### Accuracy by gold position\n\n";
    out += "Accuracy (calls) grouped by the letter at which the gold answer was shown, over every rotation.\n\n";
    out += header({});
    for (const auto& mode : run_modes(manifest)) {
        const auto& by_position = summary.at("modes").at(mode).at("accuracy_by_gold_position");
        out += "| " + mode + " |";
        for (const auto& letter : letters) {
            out += " " + (by_position.contains(letter) ? accuracy_cell(by_position.at(letter)) : "n/a") + " |";
        }
        out += "\n";
    }

    out += "\n### Per-letter accuracy\n\n";
    out += "Accuracy (rows) on the original option order, grouped by the gold letter.\n\n";
    out += header({});
    for (const auto& mode : run_modes(manifest)) {
        const auto& per_letter = summary.at("modes").at(mode).at("per_letter_accuracy");
        out += "| " + mode + " |";
        for (const auto& letter : letters) {
            out += " " + (per_letter.contains(letter) ? accuracy_cell(per_letter.at(letter)) : "n/a") + " |";
        }
        out += "\n";
    }

    out += "\n### Letter distribution and letter bias\n\n";
    out += "Shown letters chosen over every rotation. The chi-square test compares the chosen letters (UNKNOWN left "
           "out) with the letters at which the gold answers were shown; a small p-value means the model prefers some "
           "letters. Results marked * have an expected count below 5, where the test is unreliable.\n\n";
    out += header({"UNKNOWN", "Chi-square (df)", "p-value"});
    for (const auto& mode : run_modes(manifest)) {
        const auto& stats = summary.at("modes").at(mode);
        const auto& distribution = stats.at("all_rotations").at("shown_letter_distribution");
        out += "| " + mode + " |";
        for (const auto& letter : letters) {
            out += " " + std::to_string(distribution.value(letter, int64_t{0})) + " |";
        }
        out += " " + std::to_string(distribution.value("UNKNOWN", int64_t{0})) + " |";
        const auto& bias = stats.at("letter_bias");
        if (bias.is_null()) {
            out += " n/a | n/a |\n";
            continue;
        }
        const std::string mark = bias.at("small_expected_counts").get<bool>() ? "*" : "";
        out += fmt::format(" {:.2f} ({}){} | {:.3g} |\n", bias.at("statistic").get<double>(),
                           bias.at("degrees_of_freedom").get<int>(), mark, bias.at("p_value").get<double>());
    }
    out += "\n";
}

void write_choice_probabilities(const nlohmann::json& manifest, const nlohmann::json& summary, std::string& out) {
    bool any = false;
    for (const auto& mode : run_modes(manifest)) {
        any = any || !summary.at("modes").at(mode).at("choice_probabilities").is_null();
    }
    if (!any) {
        return;
    }
    out += "### Option-letter probabilities\n\n";
    out += "From --scoring choice-logprob, over every rotation. Probability mass is the share of the next-token "
           "probability on the option letters; the gold and top probabilities are renormalized over the letters.\n\n";
    out += "| Mode | Calls | Mean probability mass on letters | Mean gold probability | Mean top probability |\n";
    out += "|---|---:|---:|---:|---:|\n";
    for (const auto& mode : run_modes(manifest)) {
        const auto& probabilities = summary.at("modes").at(mode).at("choice_probabilities");
        if (probabilities.is_null()) {
            continue;
        }
        out += fmt::format("| {} | {} | {:.4f} | {:.4f} | {:.4f} |\n", mode, probabilities.at("calls").get<int64_t>(),
                           probabilities.at("mean_option_probability_mass").get<double>(),
                           probabilities.at("mean_gold_probability").get<double>(),
                           probabilities.at("mean_top_probability").get<double>());
    }
    out += "\n";
}

void write_image_canary(const nlohmann::json& manifest, const nlohmann::json& summary, std::string& out) {
    out += "### Image not received\n\n";
    out += "Replies to an image mode that say the model cannot see, or was not given, an image.\n\n";
    bool any_image_mode = false;
    for (const auto& mode : run_modes(manifest)) {
        const auto& canary = summary.at("modes").at(mode).at("image_not_received");
        if (canary.is_null()) {
            continue;
        }
        any_image_mode = true;
        const auto& replies = canary.at("replies");
        out += fmt::format("- {}: {} of {} answered calls ({})\n", mode, canary.at("count").get<int64_t>(),
                           canary.at("answered").get<int64_t>(), percent(canary.at("rate").get<double>()));
        for (size_t i = 0; i < replies.size() && i < kCanaryRepliesShown; ++i) {
            out += fmt::format("  - `{}` (rotation {}): \"{}\"\n", replies[i].at("id").get<std::string>(),
                               replies[i].at("rotation").get<int>(),
                               markdown_cell(replies[i].at("reply").get<std::string>()));
        }
        if (replies.size() > kCanaryRepliesShown) {
            out += fmt::format("  - and {} more in summary.json\n", replies.size() - kCanaryRepliesShown);
        }
    }
    if (!any_image_mode) {
        out += "No image mode ran.\n";
    }
    out += "\n";
}

void write_slices(const nlohmann::json& manifest, const nlohmann::json& summary, std::string& out) {
    const auto modes = run_modes(manifest);
    out += "## Slices\n\n";
    out += "Accuracy (answered calls) on the original option order for each slice of the rows. Image gain is "
           "image+text minus text-only and the shuffled-image gap is image+text minus shuffled-image, each paired by "
           "row with its 95 % interval. Small slices vary a lot from run to run, and with many slices some "
           "intervals exclude 0 by chance alone.\n\n";
    for (const auto& [name, table] : summary.at("slices").items()) {
        out += "### " + name + "\n\n";
        out += "| Value | Rows |";
        std::string rule = "|---|---:|";
        for (const auto& mode : modes) {
            out += " " + mode + " |";
            rule += "---:|";
        }
        out += " Image gain | Shuffled-image gap |\n" + rule + "---:|---:|\n";
        for (const auto& [value, row] : table.items()) {
            out += "| " + markdown_cell(value) + " | " + std::to_string(row.at("rows").get<int64_t>()) + " |";
            for (const auto& mode : modes) {
                out += " " + accuracy_cell(row.at("modes").at(mode)) + " |";
            }
            out += " " + gain_cell(row.at("image_gain")) + " | " + gain_cell(row.at("shuffled_image_gap")) + " |\n";
        }
        out += "\n";
    }
}

}  // namespace

std::string render_multiple_choice_results(const nlohmann::json& manifest, const nlohmann::json& summary) {
    std::string out;
    write_interpretation(summary, out);
    write_accuracy_table(manifest, summary, out);
    write_mode_comparisons(manifest, summary, out);
    write_letter_tables(manifest, summary, out);
    write_choice_probabilities(manifest, summary, out);
    write_image_canary(manifest, summary, out);
    write_slices(manifest, summary, out);
    return out;
}

}  // namespace medvlm
