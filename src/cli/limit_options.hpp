#pragma once
// The input-limit flags shared by every command that reads records or
// images. docs/limits.md lists them with their defaults.

#include <CLI/CLI.hpp>

#include "data/image.hpp"
#include "data/record_limits.hpp"

namespace medvlm::cli {

// --max-data-bytes, --max-record-bytes, --max-records, --max-images-per-row.
void add_record_limit_flags(CLI::App* command, RecordLimits& limits);

// --max-image-pixels, --max-image-bytes.
void add_image_limit_flags(CLI::App* command, ImageLimits& limits);

}  // namespace medvlm::cli
