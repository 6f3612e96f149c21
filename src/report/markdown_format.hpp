#pragma once
// Number and text formatting shared by the Markdown and HTML reports.

#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

namespace medvlm {

// 0.2105 -> "21.1 %".
[[nodiscard]] std::string percent(double value);

// {"lower": 0.193, "upper": 0.229} -> "19.3-22.9 %"; null -> "n/a".
[[nodiscard]] std::string interval_text(const nlohmann::json& interval);

// A difference of two proportions in percentage points: 0.1 -> "+10.0 pts".
[[nodiscard]] std::string points_text(double value);

// {"lower": -0.05, "upper": 0.1} -> "-5.0 to +10.0 pts"; null -> "n/a".
[[nodiscard]] std::string difference_interval_text(const nlohmann::json& interval);

// Escapes text for a Markdown table cell or list item, which cannot contain
// '|' or line breaks: '|' gets a backslash and each line break becomes a
// space.
[[nodiscard]] std::string markdown_cell(std::string_view text);

}  // namespace medvlm
