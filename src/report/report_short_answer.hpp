#pragma once
// The results section of report.md for short-answer runs: a metrics table
// with one column per mode and language (English and Chinese SLAKE side by
// side, never pooled) and one table per slice.

#include <string>

#include <nlohmann/json.hpp>

namespace medvlm {

// Reads the keys written by summarize_short_answer().
[[nodiscard]] std::string render_short_answer_results(const nlohmann::json& manifest, const nlohmann::json& summary);

}  // namespace medvlm
