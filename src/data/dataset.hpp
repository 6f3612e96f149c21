#pragma once
// Loading a benchmark end to end: records, split and language filters,
// duplicate ids, image resolution and decoding, telemetry.

#include <filesystem>
#include <string>
#include <vector>

#include "data/example.hpp"
#include "data/image.hpp"
#include "data/telemetry.hpp"

namespace medvlm {

struct DatasetOptions {
    Benchmark benchmark = Benchmark::Slake;
    std::filesystem::path data_file;
    std::filesystem::path image_root;
    std::string split;  // empty: the benchmark's default
    std::string lang = "en";
    // Skip rows with invalid records or unusable images, listing each one,
    // instead of stopping at the first.
    bool skip_invalid = false;
    size_t limit = 0;  // 0: all rows
    ImageLimits image_limits;
    // The user declares the images to be stand-ins (--stand-in-images).
    bool stand_in_images = false;
};

struct Dataset {
    DatasetOptions options;
    std::string data_sha256;
    std::string split;
    std::string lang;
    std::vector<Example> examples;
    Telemetry telemetry;
    // Declared in the options, or the image root contains the stand-in
    // marker file (see data/stand_in_images.hpp).
    bool stand_in_images = false;
};

// Throws InputError (naming the file, the record and the fix) on invalid
// records, duplicate ids and unusable images, unless skip_invalid is set.
[[nodiscard]] Dataset load_dataset(const DatasetOptions& options);

}  // namespace medvlm
