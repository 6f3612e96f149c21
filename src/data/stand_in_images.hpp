#pragma once
// Stand-in images: generated placeholders written under the file names the
// records give, for a benchmark whose images are not at hand (MedXpertQA-MM
// ships its images only in a separate 517 MB archive). They let the whole
// pipeline run, image modes included, but a score on them tells nothing
// about the real images. Every folder of stand-ins therefore contains a
// marker file, which load_dataset() detects so the run records it.

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace medvlm {

inline constexpr const char* kStandInMarkerFile = "MEDVLM_STAND_IN_IMAGES.json";

struct StandInImageOptions {
    int size = 64;  // width and height in pixels
    uint64_t seed = 0;
};

// Writes one image per distinct name under out_dir, in the format the
// name's extension gives (.jpeg, .jpg, .png or .bmp, in any case), and the
// marker file, which records `source` (for example the records file and
// its SHA-256). Each image is a seeded pattern labelled "STAND-IN", and
// different names give different pixels, so image hashes still tell rows
// apart. Returns the number of images written. Throws InputError when a
// name is absolute or contains "..", an extension is not supported, or
// out_dir already contains files but no marker (so real images are never
// mixed with stand-ins).
size_t write_stand_in_images(const std::vector<std::string>& names, const std::filesystem::path& out_dir,
                             const StandInImageOptions& options, const nlohmann::json& source);

// True when image_root contains the marker file of write_stand_in_images().
[[nodiscard]] bool holds_stand_in_images(const std::filesystem::path& image_root);

}  // namespace medvlm
