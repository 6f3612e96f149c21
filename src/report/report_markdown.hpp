#pragma once
// report.md for one run: what was run, the image telemetry and the results.

#include <string>

#include <nlohmann/json.hpp>

namespace medvlm {

[[nodiscard]] std::string render_run_report(const nlohmann::json& manifest, const nlohmann::json& summary);

}  // namespace medvlm
