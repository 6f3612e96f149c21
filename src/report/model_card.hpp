#pragma once
// The "model card" block of a report: the conservative table a user can
// paste (Benchmark, Mode, Score, 95 % CI, Interpretation), the telemetry
// line under it, and the claims of superiority. A claim appears only where
// a paired interval excludes 0, and it names the comparison exactly; for
// multiple choice an image claim also needs the interpretation rules to
// allow it (image+text above the chance band, real images).

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "report/delta_table.hpp"

namespace medvlm {

struct ModelCardRow {
    std::string benchmark;  // "slake test (en)"
    std::string mode;
    std::string score;      // "21.1 % accuracy", "12.0 % exact_match"
    std::string interval;   // "19.3-22.9 % (wilson)"
    std::string interpretation;
};

struct ModelCard {
    std::string title;  // "run A" in comparison reports, else empty
    std::vector<ModelCardRow> rows;
    std::string telemetry;  // one line
    std::vector<std::string> notices;  // test model, stand-in images, invalid run
};

// The rows and telemetry of one run, from its manifest and summary.json.
[[nodiscard]] ModelCard build_model_card(const nlohmann::json& manifest, const nlohmann::json& summary);

// "slake test (en)", from the manifest.
[[nodiscard]] std::string benchmark_label(const nlohmann::json& manifest);

// The comparisons within one run (image+text minus text-only and minus
// shuffled-image) as delta rows; `prefix` starts every comparison name
// ("run A: " in comparison reports).
[[nodiscard]] std::vector<DeltaRow> run_delta_rows(const nlohmann::json& manifest, const nlohmann::json& summary,
                                                   const std::string& prefix);

// The rows of run_delta_rows() that support a claim: the interval excludes
// 0, the images are real, and for multiple choice the interpretation made
// the matching finding ("images likely help", "correct images matter").
[[nodiscard]] std::vector<DeltaRow> claimable_run_rows(const nlohmann::json& manifest, const nlohmann::json& summary,
                                                       const std::string& prefix);

// The table, the telemetry line and the notices in Markdown.
[[nodiscard]] std::string render_model_card_markdown(const ModelCard& card);

// The claims section: one bullet per claim, or the sentence that no paired
// interval excludes 0.
[[nodiscard]] std::string render_claims_markdown(const std::vector<DeltaRow>& claimable);

}  // namespace medvlm
