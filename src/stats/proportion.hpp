#pragma once
// Confidence intervals for a proportion k/n.

#include <cstdint>
#include <string>

#include <nlohmann/json.hpp>

namespace medvlm {

struct Interval {
    double lower = 0;
    double upper = 0;
    std::string method;  // "wilson", "clopper-pearson", ...
    double level = 0.95;

    [[nodiscard]] bool contains(double value) const { return lower <= value && value <= upper; }
    // {"lower", "upper", "method", "level"}
    [[nodiscard]] nlohmann::json to_json() const;
    // Reads the keys to_json() writes (others are ignored). Throws Error
    // when one is missing or has the wrong type.
    [[nodiscard]] static Interval from_json(const nlohmann::json& value);
};

// Wilson score interval; for n == 0 the interval is [0, 1].
[[nodiscard]] Interval wilson_ci(int64_t successes, int64_t trials, double level = 0.95);

// Exact (Clopper-Pearson) interval from beta quantiles (Boost.Math).
[[nodiscard]] Interval clopper_pearson_ci(int64_t successes, int64_t trials, double level = 0.95);

}  // namespace medvlm
