#pragma once
// MinHash signatures with locality-sensitive hashing (LSH) by banding, the
// index behind the near-duplicate question check. Two texts whose shingle
// sets have Jaccard similarity J agree on one MinHash value with
// probability J, on a band of r values with probability J^r, and become
// candidates when any of the b bands agrees: P = 1 - (1 - J^r)^b
// (Leskovec, Rajaraman and Ullman, "Mining of Massive Datasets", ch. 3).
// Candidates are then confirmed by their exact Jaccard similarity, so LSH
// can only miss pairs, never report a false one.

#include <cstdint>
#include <unordered_map>
#include <vector>

namespace medvlm {

struct LshParameters {
    int hashes = 128;  // signature length = bands x rows
    int bands = 32;
    int rows = 4;
    // P(a pair at exactly the Jaccard threshold becomes a candidate); pairs
    // above the threshold are found with a higher probability.
    double detection_probability = 0.0;
};

// The widest bands (fewest candidates) whose detection probability at the
// threshold is at least 0.99, out of 1, 2, 4, 8, 16 or 32 rows per band
// over 128 hashes.
[[nodiscard]] LshParameters choose_lsh_parameters(double jaccard_threshold);

[[nodiscard]] double lsh_detection_probability(double jaccard, int bands, int rows);

class MinHashIndex {
public:
    // shingle_sets[i] is item i; its position is what candidates() returns.
    MinHashIndex(const std::vector<std::vector<uint64_t>>& shingle_sets, const LshParameters& parameters);

    // Items sharing at least one band with `shingles`, ascending, without
    // repeats. Empty shingle sets have no candidates.
    [[nodiscard]] std::vector<uint32_t> candidates(const std::vector<uint64_t>& shingles) const;

private:
    [[nodiscard]] std::vector<uint64_t> signature(const std::vector<uint64_t>& shingles) const;
    [[nodiscard]] uint64_t band_key(const std::vector<uint64_t>& signature, int band) const;

    LshParameters parameters_;
    std::vector<uint64_t> seeds_;
    std::vector<std::unordered_map<uint64_t, std::vector<uint32_t>>> bands_;
};

}  // namespace medvlm
