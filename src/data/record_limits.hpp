#pragma once
// Limits on records files, so that a malformed or hostile file ends in a
// clear error instead of a huge allocation. Each error names the flag that
// raises the limit; docs/limits.md lists every limit medvlm applies.

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <string>

namespace medvlm {

struct RecordLimits {
    // Bytes of one records file, checked before it is read. SLAKE train is
    // 3 MB, the largest file of the published benchmarks.
    int64_t max_file_bytes = int64_t{2} << 30;
    // Bytes of one record: a line of a JSONL file, or one element of a JSON
    // array file (SLAKE stores its whole array on one line). The longest
    // record of the published benchmarks is 2.7 kB (MedXpertQA-MM).
    size_t max_record_bytes = 1 << 20;
    // Records in one file, counted before any is parsed. SLAKE train has
    // 9,835; large instruction sets reach a few hundred thousand.
    size_t max_records = 1'000'000;
    // Images named by one record. MedXpertQA-MM has at most 6.
    size_t max_images_per_row = 16;
};

// Reads a records file whole. Throws InputError naming the path when it is
// missing, not a regular file (a directory, a pipe, a device) or larger than
// max_file_bytes, before reading it.
[[nodiscard]] std::string read_records_file(const std::filesystem::path& path, const RecordLimits& limits);

// "record is 2000000 bytes, above the limit of 1048576 bytes (--max-record-bytes)".
[[nodiscard]] std::string record_too_long_message(size_t bytes, const RecordLimits& limits);

// "FILE: more than 1000000 records, the limit (--max-records); ...".
[[nodiscard]] std::string too_many_records_message(const std::string& file_label, size_t records,
                                                   const RecordLimits& limits);

// "field 'images' names 20 images, above the limit of 16 (--max-images-per-row)".
[[nodiscard]] std::string too_many_images_message(size_t images, const RecordLimits& limits);

}  // namespace medvlm
