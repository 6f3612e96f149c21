#pragma once
// The exact McNemar test for paired binary outcomes (two runs, or two modes,
// right or wrong on the same questions).
//
// Only the discordant pairs carry information: b questions only the first
// side got right, c only the second. Under the null hypothesis of equal
// accuracy each discordant pair falls either way with probability 1/2, so
// the two-sided p-value is min(1, 2 P(X <= min(b, c))) with X ~ Binomial(b +
// c, 1/2). The test treats pairs as independent; questions that share an
// image are not, which is why the reports put it beside a cluster bootstrap
// interval instead of deciding anything on it alone.

#include <cstdint>

#include <nlohmann/json.hpp>

namespace medvlm {

struct McNemarTest {
    int64_t first_only = 0;   // pairs where only the first side is right (b)
    int64_t second_only = 0;  // pairs where only the second side is right (c)
    double p_value = 1;

    [[nodiscard]] int64_t discordant() const { return first_only + second_only; }
    // {"test": "exact McNemar", "first_only", "second_only", "discordant", "p_value"}
    [[nodiscard]] nlohmann::json to_json() const;
};

// Throws Error when a count is negative. With no discordant pair the
// p-value is 1.
[[nodiscard]] McNemarTest mcnemar_exact(int64_t first_only, int64_t second_only);

}  // namespace medvlm
