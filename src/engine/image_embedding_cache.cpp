#include "engine/image_embedding_cache.hpp"

#include <iterator>

namespace medvlm {
namespace {

size_t byte_size(const std::vector<float>& embedding) { return embedding.size() * sizeof(float); }

}  // namespace

const std::vector<float>* ImageEmbeddingCache::find(const std::string& key) {
    const auto it = index_.find(key);
    if (it == index_.end()) {
        return nullptr;
    }
    entries_.splice(entries_.begin(), entries_, it->second);
    return &it->second->embedding;
}

bool ImageEmbeddingCache::insert(const std::string& key, std::vector<float> embedding) {
    if (const auto it = index_.find(key); it != index_.end()) {
        erase(it->second);
    }
    const size_t needed = byte_size(embedding);
    if (max_bytes_ == 0 || needed > max_bytes_) {
        return false;
    }
    while (bytes_ + needed > max_bytes_) {
        erase(std::prev(entries_.end()));
        ++evictions_;
    }
    entries_.push_front({key, std::move(embedding)});
    index_[key] = entries_.begin();
    bytes_ += needed;
    return true;
}

void ImageEmbeddingCache::erase(std::list<Entry>::iterator entry) {
    bytes_ -= byte_size(entry->embedding);
    index_.erase(entry->key);
    entries_.erase(entry);
}

}  // namespace medvlm
