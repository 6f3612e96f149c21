#pragma once
// report.html for one run: the model card, the comparisons between modes
// and the charts (forest plot with baselines, ablation chart, letter
// distribution, per-slice bars) on one self-contained page.

#include <string>

#include <nlohmann/json.hpp>

namespace medvlm {

[[nodiscard]] std::string render_run_report_html(const nlohmann::json& manifest, const nlohmann::json& summary);

// The charts of one run as HTML, each chart id starting with `id_prefix`
// and each title with `title_prefix`; shared with the comparison report.
[[nodiscard]] std::string render_run_charts_html(const nlohmann::json& manifest, const nlohmann::json& summary,
                                                 const std::string& id_prefix, const std::string& title_prefix);

}  // namespace medvlm
