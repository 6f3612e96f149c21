#pragma once
// `medvlm compare RUN_DIR... --out DIR`: paired comparisons of runs that
// share one harness, written as DIR/comparison.json, DIR/report.md and
// DIR/report.html.
//
// The first run is the reference: every other run is compared with it
// ("run B minus run A") per mode, per question language and metric, and per
// slice. Each run is also compared with itself across modes (image+text
// minus text-only, image+text minus shuffled-image). Every comparison is a
// paired bootstrap interval of the difference (clustered by image when
// questions share images) with the exact McNemar test for right/wrong
// metrics; its "decision" follows the interval alone.
//
// comparison.json: {"warning" (only when the harness differs), "schema",
// "created_at", "medvlm", "harness", "statistics", "runs" (directory,
// manifest, manifest hash and summary of each run), "pairing" (every call
// that could not be paired, by key), "comparisons" (a list of {"name",
// "kind", "minuend", "subtrahend", "mode", "language", "metric", "slice",
// "proportion", "result"})}.

#include <filesystem>
#include <vector>

#include <nlohmann/json.hpp>

#include "compare/compared_run.hpp"
#include "report/statistics_context.hpp"

namespace medvlm {

inline constexpr const char* kComparisonFile = "comparison.json";
inline constexpr const char* kComparisonSchema = "medvlm-comparison/1";

struct CompareOptions {
    std::vector<std::filesystem::path> runs;  // the first is the reference
    std::filesystem::path out_dir;            // missing, empty, or holding an earlier comparison
    bool allow_different_harness = false;
    StatisticsSettings statistics;
};

struct CompareOutcome {
    std::filesystem::path out_dir;
    nlohmann::json comparison;
};

// Throws InputError listing every harness difference (unless
// allow_different_harness), for fewer than two runs, a run named twice, or
// an output directory that holds other files.
[[nodiscard]] CompareOutcome compare_runs(const CompareOptions& options);

// The comparison of loaded runs, without writing anything. Throws as
// compare_runs() does for harness differences.
[[nodiscard]] nlohmann::json build_comparison(const std::vector<ComparedRun>& runs, bool allow_different_harness,
                                              const StatisticsSettings& settings);

// comparison.json text: "warning" first when present, then the other keys.
[[nodiscard]] std::string comparison_json_text(const nlohmann::json& comparison);

}  // namespace medvlm
