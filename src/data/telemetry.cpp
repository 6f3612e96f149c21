#include "data/telemetry.hpp"

#include <fmt/format.h>

namespace medvlm {

nlohmann::json Telemetry::to_json() const {
    nlohmann::json histogram = nlohmann::json::object();
    for (const auto& [count, rows_with_count] : images_per_row) {
        histogram[std::to_string(count)] = rows_with_count;
    }
    nlohmann::json skipped = nlohmann::json::array();
    for (const auto& row : skipped_rows) {
        skipped.push_back({{"id", row.id}, {"source", row.source}, {"reason", row.reason}});
    }
    return {
        {"records_in_file", records_in_file},
        {"rows_filtered_out", rows_filtered_out},
        {"rows_beyond_limit", rows_beyond_limit},
        {"rows", rows},
        {"rows_with_image_filenames", rows_with_image_filenames},
        {"rows_with_loaded_images", rows_with_loaded_images},
        {"zero_image_rows", zero_image_rows},
        {"images_referenced", images_referenced},
        {"images_loaded", images_loaded},
        {"unique_images", unique_images},
        {"images_per_row", histogram},
        {"repairs", repairs},
        {"image_conversions", image_conversions},
        {"extension_mismatches", extension_mismatches},
        {"skipped_rows", skipped},
    };
}

std::string Telemetry::to_table() const {
    std::string table;
    const auto row = [&table](const std::string& name, int64_t value) {
        table += fmt::format("  {:<28} {:>8}\n", name, value);
    };
    table += "Image telemetry\n";
    row("records in file", records_in_file);
    row("rows outside split/language", rows_filtered_out);
    if (rows_beyond_limit > 0) {
        row("rows beyond --limit", rows_beyond_limit);
    }
    row("rows", rows);
    row("rows with image filenames", rows_with_image_filenames);
    row("rows with loaded images", rows_with_loaded_images);
    row("zero-image rows", zero_image_rows);
    row("images referenced", images_referenced);
    row("images loaded", images_loaded);
    row("unique images", unique_images);
    for (const auto& [count, rows_with_count] : images_per_row) {
        row(fmt::format("rows with {} image(s)", count), rows_with_count);
    }
    for (const auto& [name, count] : repairs) {
        row("repair: " + name, count);
    }
    for (const auto& [name, count] : image_conversions) {
        row("converted: " + name, count);
    }
    if (extension_mismatches > 0) {
        row("extension differs from format", extension_mismatches);
    }
    row("skipped rows", static_cast<int64_t>(skipped_rows.size()));
    for (const auto& skipped : skipped_rows) {
        table += fmt::format("    skipped {} ({}): {}\n", skipped.id, skipped.source, skipped.reason);
    }
    return table;
}

}  // namespace medvlm
