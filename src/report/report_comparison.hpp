#pragma once
// report.md and report.html of `medvlm compare`, rendered from
// comparison.json alone: the harness warning (on top, when the harness
// differs), the runs, each run's model card, the claims, the delta table,
// the per-slice differences, the pairing report and (HTML) the charts.

#include <string>

#include <nlohmann/json.hpp>

namespace medvlm {

[[nodiscard]] std::string render_comparison_markdown(const nlohmann::json& comparison);
[[nodiscard]] std::string render_comparison_html(const nlohmann::json& comparison);

}  // namespace medvlm
