#pragma once
// Per-image fingerprints for the image leakage checks: SHA-256 of the file
// bytes, SHA-256 of the decoded pixels (so a lossless re-encode of the same
// pixels still matches) and a 64-bit perceptual hash (pHash, OpenCV
// img_hash) for resized or re-compressed copies.

#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "data/image.hpp"
#include "sources/source.hpp"

namespace medvlm {

struct ImageFingerprint {
    std::string file_sha256;
    // SHA-256 over "WIDTHxHEIGHT\n" followed by the 8-bit RGB pixels as
    // decode_image() returns them.
    std::string pixel_sha256;
    uint64_t phash = 0;
    int width = 0;
    int height = 0;
    std::string problem;  // empty when the image decoded
};

// OpenCV's pHash (32x32 DCT, 8x8 low frequencies against their mean) of
// the image converted to grayscale and area-averaged to 32x32, packed most
// significant byte first.
[[nodiscard]] uint64_t phash_of(const DecodedImage& image);

[[nodiscard]] int hamming_distance(uint64_t a, uint64_t b);

// Reports an image that cannot be read or decoded through `problem`
// instead of throwing.
[[nodiscard]] ImageFingerprint fingerprint_bytes(std::string_view bytes, const ImageLimits& limits,
                                                 const std::string& label);
[[nodiscard]] ImageFingerprint fingerprint_file(const std::filesystem::path& path, const ImageLimits& limits);

// The distinct image files of a set of sources and their fingerprints.
struct ImageTable {
    std::vector<std::filesystem::path> paths;
    std::vector<ImageFingerprint> fingerprints;
};

// Fingerprints each distinct image path of the sources once, on `threads`
// threads, and stores its index in SourceImage::fingerprint. An image that
// does not decode raises InputError naming the first record that uses it.
// With skip_invalid the image is marked unusable in its records instead.
[[nodiscard]] ImageTable fingerprint_sources(const std::vector<Source*>& sources, const ImageLimits& limits,
                                             unsigned threads, bool skip_invalid);

}  // namespace medvlm
