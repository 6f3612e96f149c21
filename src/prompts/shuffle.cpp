#include "prompts/shuffle.hpp"

#include <algorithm>
#include <map>
#include <string>

#include "core/error.hpp"
#include "core/random.hpp"

namespace medvlm {
namespace {

std::string image_set_key(const Example& example) {
    std::vector<std::string> hashes;
    for (const auto& image : example.images) {
        hashes.push_back(image.sha256.empty() ? image.name : image.sha256);
    }
    std::sort(hashes.begin(), hashes.end());
    std::string key;
    for (const auto& hash : hashes) {
        key += hash + ";";
    }
    return key;
}

// Sattolo's algorithm: a uniformly random single cycle, so no element maps
// to itself. `items` are positions into a shared table.
void derange_cycle(std::vector<size_t> items, SplitMix64& random, std::vector<size_t>& target) {
    std::vector<size_t> shuffled = items;
    for (size_t i = shuffled.size() - 1; i > 0; --i) {
        const size_t j = static_cast<size_t>(random.below(i));
        std::swap(shuffled[i], shuffled[j]);
    }
    // shuffled is now a random cyclic order; each element maps to the next.
    for (size_t i = 0; i < shuffled.size(); ++i) {
        target[shuffled[i]] = shuffled[(i + 1) % shuffled.size()];
    }
}

}  // namespace

std::vector<size_t> shuffled_image_partners(const std::vector<Example>& examples, uint64_t seed) {
    // Distinct image sets, in first-seen order, and the rows that use each.
    std::vector<std::string> keys;
    std::map<std::string, size_t> key_index;
    std::vector<std::vector<size_t>> rows_of_set;
    std::vector<size_t> set_of_row(examples.size());
    for (size_t row = 0; row < examples.size(); ++row) {
        const std::string key = image_set_key(examples[row]);
        const auto [it, inserted] = key_index.emplace(key, keys.size());
        if (inserted) {
            keys.push_back(key);
            rows_of_set.emplace_back();
        }
        rows_of_set[it->second].push_back(row);
        set_of_row[row] = it->second;
    }
    if (keys.size() < 2) {
        throw InputError("shuffled-image needs rows with at least two different image sets; these " +
                         std::to_string(examples.size()) + " rows share one. Evaluate more rows or drop the mode.");
    }

    SplitMix64 random(seed ^ 0x53485546464C45ull);
    std::map<size_t, std::vector<size_t>> sets_by_count;
    for (size_t set = 0; set < keys.size(); ++set) {
        sets_by_count[examples[rows_of_set[set].front()].images.size()].push_back(set);
    }
    std::vector<size_t> partner_set(keys.size(), 0);
    std::vector<size_t> leftovers;
    for (const auto& [count, sets] : sets_by_count) {
        if (sets.size() >= 2) {
            derange_cycle(sets, random, partner_set);
        } else {
            leftovers.push_back(sets.front());
        }
    }
    if (leftovers.size() >= 2) {
        derange_cycle(leftovers, random, partner_set);
    } else if (leftovers.size() == 1) {
        // Splice the lone set into another cycle: it takes over one set's
        // partner and that set points to it instead.
        const size_t lone = leftovers.front();
        size_t host = static_cast<size_t>(random.below(keys.size()));
        if (host == lone) {
            host = (host + 1) % keys.size();
        }
        partner_set[lone] = partner_set[host];
        partner_set[host] = lone;
    }

    // Each row takes a seeded choice among the rows of its partner set.
    std::vector<size_t> partners(examples.size());
    for (size_t row = 0; row < examples.size(); ++row) {
        const auto& candidates = rows_of_set[partner_set[set_of_row[row]]];
        partners[row] = candidates[static_cast<size_t>(random.below(candidates.size()))];
    }
    return partners;
}

}  // namespace medvlm
