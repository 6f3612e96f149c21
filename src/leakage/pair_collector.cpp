#include "leakage/pair_collector.hpp"

#include <algorithm>
#include <tuple>

namespace medvlm {

void PairCollector::add(const LeakagePair& pair) {
    auto& index = index_[static_cast<size_t>(pair.check)];
    const auto [it, inserted] = index.emplace(record_pair_key(pair.train, pair.eval), pairs_.size());
    if (inserted) {
        pairs_.push_back(pair);
    } else if (pair.distance < pairs_[it->second].distance) {
        pairs_[it->second] = pair;
    }
}

std::vector<LeakagePair> PairCollector::take_sorted() {
    const auto order = [](const LeakagePair& pair) {
        return std::make_tuple(static_cast<int>(pair.check), pair.eval.source, pair.eval.record, pair.train.source,
                               pair.train.record);
    };
    std::sort(pairs_.begin(), pairs_.end(),
              [&](const LeakagePair& a, const LeakagePair& b) { return order(a) < order(b); });
    for (auto& index : index_) {
        index.clear();
    }
    std::vector<LeakagePair> sorted = std::move(pairs_);
    pairs_.clear();
    return sorted;
}

}  // namespace medvlm
