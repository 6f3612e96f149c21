#pragma once
// The results section of report.md for multiple-choice runs.

#include <string>

#include <nlohmann/json.hpp>

namespace medvlm {

[[nodiscard]] std::string render_multiple_choice_results(const nlohmann::json& manifest, const nlohmann::json& summary);

}  // namespace medvlm
