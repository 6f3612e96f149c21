#pragma once
// Images for remote engines: the pixels medvlm decoded (data/image.hpp),
// losslessly re-encoded as PNG and sent as a base64 data URL.
//
// Sending decoded pixels rather than the original file gives a server the
// same pixels as the in-process engine: no second JPEG decoder with its own
// rounding, and the same grayscale, 16-bit and alpha conversions.

#include <cstddef>
#include <filesystem>
#include <list>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>

#include "data/image.hpp"

namespace medvlm {

[[nodiscard]] std::string base64_encode(std::string_view bytes);

// "data:image/png;base64,..." for the image file. Throws ImageError.
[[nodiscard]] std::string png_data_url(const std::filesystem::path& path, const ImageLimits& limits);

// Data URLs by image SHA-256, shared by the worker threads, because a
// benchmark reuses images (SLAKE has about ten questions per image). The least recently used entries are
// dropped beyond `max_bytes`.
class ImageUrlCache {
public:
    explicit ImageUrlCache(size_t max_bytes) : max_bytes_(max_bytes) {}

    [[nodiscard]] std::string get(const std::string& sha256, const std::filesystem::path& path,
                                  const ImageLimits& limits);

private:
    struct Entry {
        std::string url;
        std::list<std::string>::iterator position;
    };
    std::mutex mutex_;
    size_t max_bytes_;
    size_t bytes_ = 0;
    std::list<std::string> order_;  // most recently used first
    std::unordered_map<std::string, Entry> entries_;
};

}  // namespace medvlm
