#include "train/vision_cache.hpp"

#include <fstream>
#include <string_view>

#include "core/error.hpp"
#include "core/files.hpp"

namespace medvlm {

VisionCache::VisionCache(const std::filesystem::path& directory, const std::string& key, int64_t values_per_tile)
    : directory_(directory / key), values_per_tile_(values_per_tile) {
    std::error_code ec;
    std::filesystem::create_directories(directory_, ec);
    if (ec) {
        throw InputError(directory_.string() + ": cannot create the vision cache directory (" + ec.message() + ")");
    }
}

std::filesystem::path VisionCache::file(const std::string& image_sha256, size_t tile) const {
    return directory_ / (image_sha256 + "." + std::to_string(tile) + ".f32");
}

bool VisionCache::contains(const std::string& image_sha256, size_t tile) const {
    std::error_code ec;
    const auto size = std::filesystem::file_size(file(image_sha256, tile), ec);
    return !ec && size == static_cast<uintmax_t>(values_per_tile_) * sizeof(float);
}

void VisionCache::store(const std::string& image_sha256, size_t tile, const float* values) const {
    const auto bytes = static_cast<size_t>(values_per_tile_) * sizeof(float);
    write_file_atomic(file(image_sha256, tile), std::string_view(reinterpret_cast<const char*>(values), bytes));
}

void VisionCache::load(const std::string& image_sha256, size_t tile, float* destination) const {
    const auto path = file(image_sha256, tile);
    std::ifstream in(path, std::ios::binary);
    const auto bytes = static_cast<std::streamsize>(values_per_tile_ * static_cast<int64_t>(sizeof(float)));
    if (!in || !in.read(reinterpret_cast<char*>(destination), bytes) || in.peek() != std::char_traits<char>::eof()) {
        throw Error(path.string() + ": vision cache file is missing or has the wrong size; delete " +
                    directory_.string() + " and run again");
    }
}

}  // namespace medvlm
