#pragma once
// Image telemetry: the counts that prove images reached the loader, so a run
// that silently dropped them (the "image" vs "images" bug) cannot look like
// a multimodal result.

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "data/loaders.hpp"

namespace medvlm {

struct Telemetry {
    int64_t records_in_file = 0;
    int64_t rows_filtered_out = 0;  // outside the split or language
    int64_t rows_beyond_limit = 0;  // dropped by --limit
    int64_t rows = 0;               // rows evaluated
    int64_t rows_with_image_filenames = 0;
    int64_t rows_with_loaded_images = 0;  // every named image decoded
    int64_t zero_image_rows = 0;          // no image decoded at all
    int64_t images_referenced = 0;
    int64_t images_loaded = 0;
    int64_t unique_images = 0;
    std::map<int64_t, int64_t> images_per_row;  // loaded images per row -> rows
    RepairCounts repairs;
    std::map<std::string, int64_t> image_conversions;  // "16-bit", "cmyk", "grayscale", "alpha"
    // Unique images whose extension names another format than their content
    // (a PNG saved as .jpg); they are decoded by content.
    int64_t extension_mismatches = 0;
    std::vector<SkippedRow> skipped_rows;

    [[nodiscard]] nlohmann::json to_json() const;
    // The table printed by `medvlm validate` and `medvlm eval`.
    [[nodiscard]] std::string to_table() const;
};

}  // namespace medvlm
