#pragma once
// File helpers. Writes go to a temporary file in the same directory and are
// renamed into place, so a killed process never leaves a half-written file.

#include <filesystem>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

namespace medvlm {

// Throws InputError naming the path when the file cannot be read.
[[nodiscard]] std::string read_file(const std::filesystem::path& path);

void write_file_atomic(const std::filesystem::path& path, std::string_view content);

// Pretty-printed with two-space indentation and a trailing newline.
void write_json_atomic(const std::filesystem::path& path, const nlohmann::json& value);

// Throws InputError when the file is missing or is not valid JSON.
[[nodiscard]] nlohmann::json read_json_file(const std::filesystem::path& path);

}  // namespace medvlm
