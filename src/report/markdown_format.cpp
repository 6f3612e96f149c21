#include "report/markdown_format.hpp"

#include <fmt/format.h>

namespace medvlm {

std::string percent(double value) { return fmt::format("{:.1f} %", 100.0 * value); }

std::string interval_text(const nlohmann::json& interval) {
    if (interval.is_null()) {
        return "n/a";
    }
    return fmt::format("{:.1f}-{:.1f} %", 100.0 * interval.at("lower").get<double>(),
                       100.0 * interval.at("upper").get<double>());
}

std::string points_text(double value) { return fmt::format("{:+.1f} pts", 100.0 * value); }

std::string difference_interval_text(const nlohmann::json& interval) {
    if (interval.is_null()) {
        return "n/a";
    }
    return fmt::format("{:+.1f} to {:+.1f} pts", 100.0 * interval.at("lower").get<double>(),
                       100.0 * interval.at("upper").get<double>());
}

std::string markdown_cell(std::string_view text) {
    std::string out;
    for (const char c : text) {
        if (c == '|') {
            out += "\\|";
        } else if (c == '\n' || c == '\r') {
            out += ' ';
        } else {
            out += c;
        }
    }
    return out;
}

}  // namespace medvlm
