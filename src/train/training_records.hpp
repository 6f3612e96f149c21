#pragma once
// Reads training stage files (JSON Lines, one sample per line; the format is
// docs/training-format.md) strictly: every field is required and typed, ids
// are unique within a file, image paths are absolute and each image's
// SHA-256 must match the file on disk, so the hashes recorded in train.json
// describe the data actually trained on.

#include <filesystem>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace medvlm {

struct TrainingRecord {
    std::string id;
    int stage = 0;
    nlohmann::json source;
    std::vector<std::filesystem::path> images;
    std::vector<std::string> image_sha256;
    std::string prompt;
    std::string answer;
    std::string origin;  // "FILE: line N", for error messages
};

struct TrainingFile {
    std::filesystem::path path;
    std::string sha256;
    size_t records = 0;
};

struct TrainingData {
    std::vector<TrainingFile> files;
    std::vector<TrainingRecord> records;
};

// Throws InputError naming the file, the line and the fix for the first
// invalid line, an empty file, a duplicate id or an image whose SHA-256
// differs from the record.
[[nodiscard]] TrainingData read_training_files(const std::vector<std::filesystem::path>& paths);

}  // namespace medvlm
