#pragma once
// Image embeddings kept between the calls of one engine, so that an image
// sent by several modes and rotations goes through the vision encoder once
// per run. Memory is bounded in bytes; when an embedding does not fit, the
// least recently used entries are evicted first.
//
//     ImageEmbeddingCache cache(256 << 20);
//     if (const auto* embedding = cache.find(key)) { decode(*embedding); }
//     else { cache.insert(key, encode(image)); }

#include <cstddef>
#include <cstdint>
#include <list>
#include <string>
#include <unordered_map>
#include <vector>

namespace medvlm {

class ImageEmbeddingCache {
public:
    // max_bytes 0 disables the cache: find() never hits and insert() stores nothing.
    explicit ImageEmbeddingCache(size_t max_bytes) : max_bytes_(max_bytes) {}

    // The embedding stored under key, or nullptr; a hit makes the entry the
    // most recently used. The pointer stays valid until the next insert().
    [[nodiscard]] const std::vector<float>* find(const std::string& key);

    // Whether key is stored, without changing the eviction order.
    [[nodiscard]] bool contains(const std::string& key) const { return index_.count(key) > 0; }

    // Stores the embedding under key (replacing an earlier one), evicting
    // least recently used entries until it fits. Returns false, storing
    // nothing, when the embedding alone is larger than the bound.
    bool insert(const std::string& key, std::vector<float> embedding);

    [[nodiscard]] size_t max_bytes() const { return max_bytes_; }
    [[nodiscard]] size_t bytes() const { return bytes_; }
    [[nodiscard]] size_t size() const { return entries_.size(); }
    [[nodiscard]] uint64_t evictions() const { return evictions_; }

private:
    struct Entry {
        std::string key;
        std::vector<float> embedding;
    };

    void erase(std::list<Entry>::iterator entry);

    size_t max_bytes_;
    size_t bytes_ = 0;
    uint64_t evictions_ = 0;
    std::list<Entry> entries_;  // most recently used first
    std::unordered_map<std::string, std::list<Entry>::iterator> index_;
};

}  // namespace medvlm
