#include "leakage/hamming_index.hpp"

#include <algorithm>
#include <bit>
#include <limits>

#include "core/error.hpp"

namespace medvlm {

HammingIndex::HammingIndex(std::vector<uint64_t> hashes, int max_distance)
    : max_distance_(max_distance), hashes_(std::move(hashes)) {
    if (max_distance < 0 || max_distance > 64) {
        throw InputError("the Hamming distance threshold must be between 0 and 64 bits, not " +
                         std::to_string(max_distance));
    }
    if (hashes_.size() > std::numeric_limits<uint32_t>::max()) {
        throw Error("too many hashes for one Hamming index");
    }
    // Chunks of nearly equal width that together cover all 64 bits.
    const int chunk_count = std::min(max_distance + 1, 64);
    int shift = 0;
    for (int c = 0; c < chunk_count; ++c) {
        const int bits = 64 / chunk_count + (c < 64 % chunk_count ? 1 : 0);
        Chunk chunk;
        chunk.shift = shift;
        chunk.mask = bits == 64 ? ~uint64_t{0} : ((uint64_t{1} << bits) - 1);
        shift += bits;
        chunks_.push_back(std::move(chunk));
    }
    for (size_t i = 0; i < hashes_.size(); ++i) {
        for (auto& chunk : chunks_) {
            chunk.buckets[(hashes_[i] >> chunk.shift) & chunk.mask].push_back(static_cast<uint32_t>(i));
        }
    }
}

std::vector<HammingMatch> HammingIndex::query(uint64_t query) const {
    std::vector<uint32_t> candidates;
    for (const auto& chunk : chunks_) {
        const auto it = chunk.buckets.find((query >> chunk.shift) & chunk.mask);
        if (it != chunk.buckets.end()) {
            candidates.insert(candidates.end(), it->second.begin(), it->second.end());
        }
    }
    std::sort(candidates.begin(), candidates.end());
    candidates.erase(std::unique(candidates.begin(), candidates.end()), candidates.end());

    std::vector<HammingMatch> matches;
    for (const uint32_t index : candidates) {
        const int distance = std::popcount(hashes_[index] ^ query);
        if (distance <= max_distance_) {
            matches.push_back({index, distance});
        }
    }
    return matches;
}

}  // namespace medvlm
