// Multi-index hashing returns exactly what a brute-force scan returns.

#include <gtest/gtest.h>

#include <bit>

#include "core/error.hpp"
#include "core/random.hpp"
#include "leakage/hamming_index.hpp"

namespace medvlm {
namespace {

// Hashes clustered around a few centres, as pHashes of similar images are,
// so that many pairs fall near every threshold.
std::vector<uint64_t> clustered_hashes(size_t count, const std::vector<uint64_t>& centres, SplitMix64& random) {
    std::vector<uint64_t> hashes;
    for (size_t i = 0; i < count; ++i) {
        uint64_t hash = centres[random.below(centres.size())];
        const uint64_t flips = random.below(20);
        for (uint64_t f = 0; f < flips; ++f) {
            hash ^= uint64_t{1} << random.below(64);
        }
        hashes.push_back(hash);
    }
    return hashes;
}

TEST(HammingIndex, MatchesBruteForceAtEveryThreshold) {
    SplitMix64 random(42);
    std::vector<uint64_t> centres;
    for (int i = 0; i < 8; ++i) {
        centres.push_back(random.next());
    }
    const auto stored = clustered_hashes(2000, centres, random);
    const auto queries = clustered_hashes(200, centres, random);
    for (const int threshold : {0, 1, 3, 8, 12, 20, 63, 64}) {
        const HammingIndex index(stored, threshold);
        size_t total = 0;
        for (const uint64_t query : queries) {
            std::vector<HammingMatch> expected;
            for (size_t i = 0; i < stored.size(); ++i) {
                const int distance = std::popcount(stored[i] ^ query);
                if (distance <= threshold) {
                    expected.push_back({i, distance});
                }
            }
            const auto found = index.query(query);
            ASSERT_EQ(found.size(), expected.size()) << "threshold " << threshold;
            for (size_t i = 0; i < found.size(); ++i) {
                EXPECT_EQ(found[i].index, expected[i].index);
                EXPECT_EQ(found[i].distance, expected[i].distance);
            }
            total += found.size();
        }
        if (threshold >= 8) {
            EXPECT_GT(total, 0u) << "the data should contain matches at threshold " << threshold;
        }
    }
}

TEST(HammingIndex, ExactQueryAndEmptyIndex) {
    const HammingIndex index({0x00FFull, 0x00FEull, 0xFF00ull}, 1);
    const auto found = index.query(0x00FFull);
    ASSERT_EQ(found.size(), 2u);
    EXPECT_EQ(found[0].distance, 0);
    EXPECT_EQ(found[1].distance, 1);
    EXPECT_TRUE(HammingIndex({}, 8).query(0).empty());
}

TEST(HammingIndex, RejectsThresholdOutOfRange) {
    EXPECT_THROW(HammingIndex({}, -1), InputError);
    EXPECT_THROW(HammingIndex({}, 65), InputError);
}

}  // namespace
}  // namespace medvlm
