#include "report/markdown_format.hpp"

#include <fmt/format.h>

namespace medvlm {

std::string percent(double value) { return fmt::format("{:.1f} %", 100.0 * value); }

std::string interval_text(const nlohmann::json& interval) {
    return fmt::format("{:.1f}-{:.1f} %", 100.0 * interval.at("lower").get<double>(),
                       100.0 * interval.at("upper").get<double>());
}

}  // namespace medvlm
