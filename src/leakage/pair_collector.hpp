#pragma once
// Record pairs gathered by the checks, one per (check, train record, eval
// record), keeping the smallest distance when a pair is found twice (for
// example through two images of a multi-image record).

#include <cstdint>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "leakage/leakage_checks.hpp"

namespace medvlm {

struct RecordPairKey {
    uint64_t train = 0;  // source << 32 | record
    uint64_t eval = 0;
    bool operator==(const RecordPairKey&) const = default;
};

struct RecordPairKeyHash {
    size_t operator()(const RecordPairKey& key) const noexcept {
        uint64_t z = key.train * 0x9E3779B97F4A7C15ull ^ key.eval;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
        return static_cast<size_t>(z ^ (z >> 31));
    }
};

[[nodiscard]] inline RecordPairKey record_pair_key(RecordRef train, RecordRef eval) {
    return {uint64_t{train.source} << 32 | train.record, uint64_t{eval.source} << 32 | eval.record};
}

using RecordPairSet = std::unordered_set<RecordPairKey, RecordPairKeyHash>;

class PairCollector {
public:
    void add(const LeakagePair& pair);
    // Ordered by check, eval source, eval record, train source, train record.
    [[nodiscard]] std::vector<LeakagePair> take_sorted();

private:
    std::vector<LeakagePair> pairs_;
    std::vector<std::unordered_map<RecordPairKey, size_t, RecordPairKeyHash>> index_ =
        std::vector<std::unordered_map<RecordPairKey, size_t, RecordPairKeyHash>>(all_leakage_checks().size());
};

// Image-check pairs, added to `pairs`. `same_image` receives the record
// pairs that share an image: by content when both images decoded, by name
// when either did not.
void match_images(const std::vector<Source>& train, const std::vector<Source>& eval, const ImageTable& table,
                  int phash_max_distance, PairCollector& pairs, RecordPairSet& same_image);

// Question and question-answer pairs, added to `pairs`.
void match_questions(const std::vector<Source>& train, const std::vector<Source>& eval,
                     const LeakageSettings& settings, const LshParameters& lsh, const RecordPairSet& same_image,
                     PairCollector& pairs);

}  // namespace medvlm
