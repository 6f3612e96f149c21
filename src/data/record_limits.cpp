#include "data/record_limits.hpp"

#include "core/error.hpp"
#include "core/files.hpp"

namespace medvlm {

std::string read_records_file(const std::filesystem::path& path, const RecordLimits& limits) {
    namespace fs = std::filesystem;
    std::error_code ec;
    const fs::file_status status = fs::status(path, ec);
    if (!fs::exists(status)) {
        throw InputError(path.string() + ": records file not found");
    }
    if (fs::is_directory(status)) {
        throw InputError(path.string() + ": is a directory, expected a records file");
    }
    if (!fs::is_regular_file(status)) {
        throw InputError(path.string() + ": not a regular file (a pipe or a device?); pass a records file");
    }
    const auto size = fs::file_size(path, ec);
    if (!ec && size > static_cast<uintmax_t>(limits.max_file_bytes)) {
        throw InputError(path.string() + ": the file is " + std::to_string(size) + " bytes, above the limit of " +
                         std::to_string(limits.max_file_bytes) + " bytes (--max-data-bytes)");
    }
    return read_file(path);
}

std::string record_too_long_message(size_t bytes, const RecordLimits& limits) {
    return "record is " + std::to_string(bytes) + " bytes, above the limit of " +
           std::to_string(limits.max_record_bytes) + " bytes (--max-record-bytes); check that the file is a " +
           "records file, or raise --max-record-bytes";
}

std::string too_many_records_message(const std::string& file_label, size_t records, const RecordLimits& limits) {
    return file_label + ": " + std::to_string(records) + " records, above the limit of " +
           std::to_string(limits.max_records) + " records per file (--max-records); split the file or raise " +
           "--max-records";
}

std::string too_many_images_message(size_t images, const RecordLimits& limits) {
    return "field 'images' names " + std::to_string(images) + " images, above the limit of " +
           std::to_string(limits.max_images_per_row) + " per row (--max-images-per-row)";
}

}  // namespace medvlm
