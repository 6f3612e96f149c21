#include "leakage/minhash_lsh.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

#include "core/error.hpp"
#include "core/random.hpp"

namespace medvlm {
namespace {

uint64_t mix(uint64_t z) {
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

}  // namespace

double lsh_detection_probability(double jaccard, int bands, int rows) {
    return 1.0 - std::pow(1.0 - std::pow(jaccard, rows), bands);
}

LshParameters choose_lsh_parameters(double jaccard_threshold) {
    if (!(jaccard_threshold > 0.0 && jaccard_threshold <= 1.0)) {
        throw InputError("the Jaccard threshold must be in (0, 1], not " + std::to_string(jaccard_threshold));
    }
    LshParameters chosen;
    chosen.bands = 128;
    chosen.rows = 1;
    chosen.detection_probability = lsh_detection_probability(jaccard_threshold, 128, 1);
    for (const int rows : {2, 4, 8, 16, 32}) {
        const int bands = chosen.hashes / rows;
        const double probability = lsh_detection_probability(jaccard_threshold, bands, rows);
        if (probability < 0.99) {
            break;
        }
        chosen.bands = bands;
        chosen.rows = rows;
        chosen.detection_probability = probability;
    }
    return chosen;
}

MinHashIndex::MinHashIndex(const std::vector<std::vector<uint64_t>>& shingle_sets, const LshParameters& parameters)
    : parameters_(parameters), bands_(static_cast<size_t>(parameters.bands)) {
    if (parameters.bands * parameters.rows != parameters.hashes) {
        throw Error("MinHash bands x rows must equal the signature length");
    }
    if (shingle_sets.size() > std::numeric_limits<uint32_t>::max()) {
        throw Error("too many texts for one MinHash index");
    }
    // Fixed seeds: the same texts give the same candidates on every run.
    SplitMix64 random(0x6D696E68617368ull);
    for (int i = 0; i < parameters.hashes; ++i) {
        seeds_.push_back(random.next());
    }
    for (size_t item = 0; item < shingle_sets.size(); ++item) {
        if (shingle_sets[item].empty()) {
            continue;
        }
        const auto values = signature(shingle_sets[item]);
        for (int band = 0; band < parameters.bands; ++band) {
            bands_[static_cast<size_t>(band)][band_key(values, band)].push_back(static_cast<uint32_t>(item));
        }
    }
}

std::vector<uint64_t> MinHashIndex::signature(const std::vector<uint64_t>& shingles) const {
    std::vector<uint64_t> values(seeds_.size(), std::numeric_limits<uint64_t>::max());
    for (const uint64_t shingle : shingles) {
        for (size_t i = 0; i < seeds_.size(); ++i) {
            values[i] = std::min(values[i], mix(shingle ^ seeds_[i]));
        }
    }
    return values;
}

uint64_t MinHashIndex::band_key(const std::vector<uint64_t>& signature, int band) const {
    uint64_t key = static_cast<uint64_t>(band) * 0x9E3779B97F4A7C15ull;
    for (int row = 0; row < parameters_.rows; ++row) {
        key = mix(key ^ signature[static_cast<size_t>(band * parameters_.rows + row)]);
    }
    return key;
}

std::vector<uint32_t> MinHashIndex::candidates(const std::vector<uint64_t>& shingles) const {
    std::vector<uint32_t> found;
    if (shingles.empty()) {
        return found;
    }
    const auto values = signature(shingles);
    for (int band = 0; band < parameters_.bands; ++band) {
        const auto& buckets = bands_[static_cast<size_t>(band)];
        const auto it = buckets.find(band_key(values, band));
        if (it != buckets.end()) {
            found.insert(found.end(), it->second.begin(), it->second.end());
        }
    }
    std::sort(found.begin(), found.end());
    found.erase(std::unique(found.begin(), found.end()), found.end());
    return found;
}

}  // namespace medvlm
