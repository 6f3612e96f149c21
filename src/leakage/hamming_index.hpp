#pragma once
// Multi-index hashing: finds the stored 64-bit hashes within a Hamming
// distance of a query without comparing the query with every stored hash.
// The 64 bits are cut into max_distance + 1 chunks. Two hashes that differ
// in at most max_distance bits agree exactly on at least one chunk (the
// pigeonhole principle), so only hashes sharing a chunk value with the
// query are compared. The method is from Norouzi, Punjani and Fleet, "Fast
// Search in Hamming Space with Multi-Index Hashing", CVPR 2012.

#include <cstddef>
#include <cstdint>
#include <unordered_map>
#include <utility>
#include <vector>

namespace medvlm {

struct HammingMatch {
    size_t index = 0;  // position of the stored hash
    int distance = 0;
};

class HammingIndex {
public:
    // max_distance: 0 to 64 bits.
    HammingIndex(std::vector<uint64_t> hashes, int max_distance);

    // Every stored hash within max_distance bits of `query`, by ascending index.
    [[nodiscard]] std::vector<HammingMatch> query(uint64_t query) const;

    [[nodiscard]] int max_distance() const noexcept { return max_distance_; }

private:
    struct Chunk {
        int shift = 0;
        uint64_t mask = 0;
        std::unordered_map<uint64_t, std::vector<uint32_t>> buckets;
    };

    int max_distance_;
    std::vector<uint64_t> hashes_;
    std::vector<Chunk> chunks_;
};

}  // namespace medvlm
