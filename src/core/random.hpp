#pragma once
// SplitMix64: a small seeded generator whose output is identical on every
// platform and standard library, unlike <random>'s distributions. Used
// wherever a seed must reproduce a result (derangements, bootstrap,
// sharding, tiny models).

#include <cstdint>

namespace medvlm {

class SplitMix64 {
public:
    explicit SplitMix64(uint64_t seed) : state_(seed) {}

    uint64_t next() {
        uint64_t z = (state_ += 0x9E3779B97F4A7C15ull);
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
        return z ^ (z >> 31);
    }

    // Uniform in [0, bound) without modulo bias; bound must be positive.
    uint64_t below(uint64_t bound) {
        const uint64_t limit = UINT64_MAX - UINT64_MAX % bound;
        uint64_t value = next();
        while (value >= limit) {
            value = next();
        }
        return value % bound;
    }

    // Uniform in [-1, 1), from the top 24 bits so the float is exact.
    float uniform_signed() { return static_cast<float>(next() >> 40) / 8388608.0f - 1.0f; }

    // Uniform in [0, 1) with 53 random bits.
    double uniform() { return static_cast<double>(next() >> 11) * 0x1.0p-53; }

private:
    uint64_t state_;
};

}  // namespace medvlm
