#pragma once
// Number formatting shared by the Markdown reports.

#include <string>

#include <nlohmann/json.hpp>

namespace medvlm {

// 0.2105 -> "21.1 %".
[[nodiscard]] std::string percent(double value);

// {"lower": 0.193, "upper": 0.229} -> "19.3-22.9 %".
[[nodiscard]] std::string interval_text(const nlohmann::json& interval);

}  // namespace medvlm
