#pragma once
// On-disk cache of the frozen vision activations of each image tile (see
// VisionCut), so training steps start from them instead of rerunning the
// frozen tower. One file per tile under DIR/KEY/, where KEY names the
// projector file's hash and the cut, so caches of different graphs never mix.
// Files are written atomically; a file of the wrong size is reported, not
// used.

#include <cstdint>
#include <filesystem>
#include <string>

namespace medvlm {

class VisionCache {
public:
    VisionCache(const std::filesystem::path& directory, const std::string& key, int64_t values_per_tile);

    [[nodiscard]] bool contains(const std::string& image_sha256, size_t tile) const;
    void store(const std::string& image_sha256, size_t tile, const float* values) const;
    // Throws Error naming the file when it is missing or has the wrong size.
    void load(const std::string& image_sha256, size_t tile, float* destination) const;

    [[nodiscard]] const std::filesystem::path& directory() const { return directory_; }
    [[nodiscard]] int64_t values_per_tile() const { return values_per_tile_; }

private:
    [[nodiscard]] std::filesystem::path file(const std::string& image_sha256, size_t tile) const;

    std::filesystem::path directory_;
    int64_t values_per_tile_;
};

}  // namespace medvlm
