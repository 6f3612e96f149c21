#pragma once
// The charts of one run, drawn from its manifest and summary.json: a forest
// plot of the scores with their intervals (and, for multiple choice, the
// random and best-constant-letter baselines), the mode-by-mode ablation
// chart, the letter distribution (multiple choice only) and per-slice bars.
// Every chart id starts with `id_prefix`, so several runs fit on one page.

#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "report/delta_table.hpp"
#include "report/svg_chart.hpp"

namespace medvlm {

[[nodiscard]] ForestPlot score_forest_plot(const nlohmann::json& manifest, const nlohmann::json& summary,
                                           const std::string& id_prefix, const std::string& title_prefix);

[[nodiscard]] BarChart ablation_chart(const nlohmann::json& manifest, const nlohmann::json& summary,
                                      const std::string& id_prefix, const std::string& title_prefix);

// Null for short-answer runs.
[[nodiscard]] std::optional<BarChart> letter_distribution_chart(const nlohmann::json& manifest,
                                                                const nlohmann::json& summary,
                                                                const std::string& id_prefix,
                                                                const std::string& title_prefix);

// One chart per slice definition: multiple choice shows each mode's
// accuracy, short answers each mode's exact_match per language.
[[nodiscard]] std::vector<BarChart> slice_charts(const nlohmann::json& manifest, const nlohmann::json& summary,
                                                 const std::string& id_prefix, const std::string& title_prefix);

// The differences of proportions among `rows` with their intervals and a
// reference line at 0; rows without pairs or of means are left out.
[[nodiscard]] ForestPlot delta_forest_plot(const std::vector<DeltaRow>& rows, const std::string& id,
                                           const std::string& title);

// The multiple-choice chance band of a run: the random baseline and the
// highest best-constant-letter baseline of any mode with answered calls.
[[nodiscard]] std::vector<ReferenceLine> chance_references(const nlohmann::json& summary);

}  // namespace medvlm
