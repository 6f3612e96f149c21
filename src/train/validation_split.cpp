#include "train/validation_split.hpp"

#include <algorithm>
#include <cmath>
#include <map>
#include <string>

#include "core/error.hpp"
#include "core/sha256.hpp"

namespace medvlm {

SampleSplit split_by_image(const std::vector<TokenizedSample>& samples, double fraction, uint64_t seed) {
    if (!(fraction >= 0.0 && fraction < 1.0)) {
        throw InputError("--val-fraction must be at least 0 and below 1, got " + std::to_string(fraction));
    }
    std::map<std::string, std::vector<size_t>> groups;
    for (size_t i = 0; i < samples.size(); ++i) {
        std::vector<std::string> hashes = samples[i].image_sha256;
        std::sort(hashes.begin(), hashes.end());
        std::string key = hashes.empty() ? "text:" + samples[i].id : "";
        for (const auto& hash : hashes) {
            key += hash + ",";
        }
        groups[key].push_back(i);
    }

    SampleSplit split;
    if (fraction == 0.0) {
        for (size_t i = 0; i < samples.size(); ++i) {
            split.train.push_back(i);
        }
        return split;
    }

    // Order the groups by a seeded hash of their key.
    std::vector<std::pair<std::string, const std::vector<size_t>*>> ordered;
    for (const auto& [key, members] : groups) {
        ordered.emplace_back(sha256_hex(std::to_string(seed) + "/" + key), &members);
    }
    std::sort(ordered.begin(), ordered.end(),
              [](const auto& a, const auto& b) { return a.first < b.first; });
    const auto validation_groups =
        std::max<size_t>(1, static_cast<size_t>(std::ceil(fraction * static_cast<double>(ordered.size()))));
    if (validation_groups >= ordered.size()) {
        throw InputError("the data hold " + std::to_string(ordered.size()) + " image group(s), too few to keep " +
                         std::to_string(validation_groups) + " for validation and still train; add data or pass "
                         "--val-fraction 0");
    }
    std::vector<bool> is_validation(samples.size(), false);
    for (size_t g = 0; g < validation_groups; ++g) {
        for (const size_t index : *ordered[g].second) {
            is_validation[index] = true;
        }
    }
    for (size_t i = 0; i < samples.size(); ++i) {
        (is_validation[i] ? split.validation : split.train).push_back(i);
    }
    return split;
}

}  // namespace medvlm
