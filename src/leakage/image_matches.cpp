#include <map>
#include <unordered_map>

#include "leakage/hamming_index.hpp"
#include "leakage/pair_collector.hpp"

namespace medvlm {
namespace {

struct ImageUse {
    RecordRef record;
    int32_t slot = 0;  // position in the record's image list
};

struct ImageUses {
    // Image table index -> the records using that image.
    std::unordered_map<size_t, std::vector<ImageUse>> by_fingerprint;
    // Image name -> the records naming it, with whether it decoded.
    std::map<std::string, std::vector<ImageUse>> by_name;
};

ImageUses collect_uses(const std::vector<Source>& sources) {
    ImageUses uses;
    for (uint32_t s = 0; s < sources.size(); ++s) {
        const auto& records = sources[s].records;
        for (uint32_t r = 0; r < records.size(); ++r) {
            for (int32_t slot = 0; slot < static_cast<int32_t>(records[r].images.size()); ++slot) {
                const auto& image = records[r].images[static_cast<size_t>(slot)];
                const ImageUse use{{s, r}, slot};
                uses.by_name[image.name].push_back(use);
                if (image.fingerprint >= 0) {
                    uses.by_fingerprint[static_cast<size_t>(image.fingerprint)].push_back(use);
                }
            }
        }
    }
    return uses;
}

const SourceImage& image_of(const std::vector<Source>& sources, const ImageUse& use) {
    return sources[use.record.source].records[use.record.record].images[static_cast<size_t>(use.slot)];
}

struct ImageMatch {
    size_t train_fingerprint = 0;
    LeakageCheck check = LeakageCheck::ImageFileSha256;
    int distance = 0;
};

// Content matches of one eval image against the train images, strongest
// check first: identical bytes, else identical pixels, else pHash.
std::vector<ImageMatch> match_content(size_t eval_fingerprint, const ImageTable& table,
                                      const std::unordered_multimap<std::string, size_t>& train_by_file,
                                      const std::unordered_multimap<std::string, size_t>& train_by_pixels,
                                      const HammingIndex& phash_index, const std::vector<size_t>& train_fingerprints) {
    const ImageFingerprint& eval = table.fingerprints[eval_fingerprint];
    std::map<size_t, ImageMatch> matches;
    auto [file_begin, file_end] = train_by_file.equal_range(eval.file_sha256);
    for (auto it = file_begin; it != file_end; ++it) {
        matches.emplace(it->second, ImageMatch{it->second, LeakageCheck::ImageFileSha256, 0});
    }
    auto [pixel_begin, pixel_end] = train_by_pixels.equal_range(eval.pixel_sha256);
    for (auto it = pixel_begin; it != pixel_end; ++it) {
        matches.emplace(it->second, ImageMatch{it->second, LeakageCheck::ImagePixelSha256, 0});
    }
    for (const auto& hit : phash_index.query(eval.phash)) {
        const size_t train_fingerprint = train_fingerprints[hit.index];
        matches.emplace(train_fingerprint, ImageMatch{train_fingerprint, LeakageCheck::ImagePhash, hit.distance});
    }
    std::vector<ImageMatch> out;
    for (const auto& [fingerprint, match] : matches) {
        out.push_back(match);
    }
    return out;
}

void add_record_pairs(const std::vector<ImageUse>& train_uses, const std::vector<ImageUse>& eval_uses,
                      LeakageCheck check, int distance, PairCollector& pairs) {
    for (const auto& train_use : train_uses) {
        for (const auto& eval_use : eval_uses) {
            pairs.add(LeakagePair{check, train_use.record, eval_use.record, static_cast<double>(distance),
                                  train_use.slot, eval_use.slot});
        }
    }
}

}  // namespace

void match_images(const std::vector<Source>& train, const std::vector<Source>& eval, const ImageTable& table,
                  int phash_max_distance, PairCollector& pairs, RecordPairSet& same_image) {
    const ImageUses train_uses = collect_uses(train);
    const ImageUses eval_uses = collect_uses(eval);

    // Same image name, whatever the content.
    for (const auto& [name, eval_list] : eval_uses.by_name) {
        const auto it = train_uses.by_name.find(name);
        if (it == train_uses.by_name.end()) {
            continue;
        }
        add_record_pairs(it->second, eval_list, LeakageCheck::ImageName, 0, pairs);
        for (const auto& train_use : it->second) {
            for (const auto& eval_use : eval_list) {
                if (image_of(train, train_use).fingerprint < 0 || image_of(eval, eval_use).fingerprint < 0) {
                    same_image.insert(record_pair_key(train_use.record, eval_use.record));
                }
            }
        }
    }

    // Content: index the distinct train images by their hashes once.
    std::vector<size_t> train_fingerprints;
    std::unordered_multimap<std::string, size_t> train_by_file;
    std::unordered_multimap<std::string, size_t> train_by_pixels;
    std::vector<uint64_t> train_phashes;
    for (const auto& [fingerprint, uses] : train_uses.by_fingerprint) {
        train_fingerprints.push_back(fingerprint);
    }
    std::sort(train_fingerprints.begin(), train_fingerprints.end());
    for (const size_t fingerprint : train_fingerprints) {
        const ImageFingerprint& image = table.fingerprints[fingerprint];
        train_by_file.emplace(image.file_sha256, fingerprint);
        train_by_pixels.emplace(image.pixel_sha256, fingerprint);
        train_phashes.push_back(image.phash);
    }
    const HammingIndex phash_index(std::move(train_phashes), phash_max_distance);

    for (const auto& [eval_fingerprint, eval_list] : eval_uses.by_fingerprint) {
        const auto matches = match_content(eval_fingerprint, table, train_by_file, train_by_pixels, phash_index,
                                           train_fingerprints);
        for (const auto& match : matches) {
            const auto& train_list = train_uses.by_fingerprint.at(match.train_fingerprint);
            add_record_pairs(train_list, eval_list, match.check, match.distance, pairs);
            for (const auto& train_use : train_list) {
                for (const auto& eval_use : eval_list) {
                    same_image.insert(record_pair_key(train_use.record, eval_use.record));
                }
            }
        }
    }
}

}  // namespace medvlm
