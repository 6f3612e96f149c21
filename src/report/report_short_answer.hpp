#pragma once
// The results section of report.md for short-answer runs.

#include <string>

#include <nlohmann/json.hpp>

namespace medvlm {

[[nodiscard]] std::string render_short_answer_results(const nlohmann::json& manifest, const nlohmann::json& summary);

}  // namespace medvlm
