#include "cli/limit_options.hpp"

namespace medvlm::cli {

void add_record_limit_flags(CLI::App* command, RecordLimits& limits) {
    command->add_option("--max-data-bytes", limits.max_file_bytes,
                        "Reject a records file larger than this many bytes before reading it (default " +
                            std::to_string(RecordLimits{}.max_file_bytes) + ")")
        ->check(CLI::PositiveNumber);
    command->add_option("--max-record-bytes", limits.max_record_bytes,
                        "Reject a record (a JSONL line or a JSON array element) longer than this many bytes "
                        "(default " + std::to_string(RecordLimits{}.max_record_bytes) + ")")
        ->check(CLI::PositiveNumber);
    command->add_option("--max-records", limits.max_records,
                        "Reject a records file with more records than this (default " +
                            std::to_string(RecordLimits{}.max_records) + ")")
        ->check(CLI::PositiveNumber);
    command->add_option("--max-images-per-row", limits.max_images_per_row,
                        "Reject a record that names more images than this (default " +
                            std::to_string(RecordLimits{}.max_images_per_row) + ")")
        ->check(CLI::PositiveNumber);
}

void add_image_limit_flags(CLI::App* command, ImageLimits& limits) {
    command->add_option("--max-image-pixels", limits.max_pixels,
                        "Reject images whose width x height exceeds this many pixels, read from the header before "
                        "decoding (default " + std::to_string(ImageLimits{}.max_pixels) + ")")
        ->check(CLI::PositiveNumber);
    command->add_option("--max-image-bytes", limits.max_file_bytes,
                        "Reject image files larger than this many bytes (default " +
                            std::to_string(ImageLimits{}.max_file_bytes) + ")")
        ->check(CLI::PositiveNumber);
}

}  // namespace medvlm::cli
