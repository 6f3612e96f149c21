#pragma once
// Helpers shared by the summary builders.

#include <cstdint>

#include <nlohmann/json.hpp>

namespace medvlm {

[[nodiscard]] double share(int64_t part, int64_t whole);

// {"n", "correct", "value", "ci95"} with a Wilson 95 % interval.
[[nodiscard]] nlohmann::json proportion_json(int64_t successes, int64_t trials);

}  // namespace medvlm
