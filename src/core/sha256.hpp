#pragma once
// SHA-256 digests as lowercase hex strings (OpenSSL EVP).

#include <filesystem>
#include <span>
#include <string>
#include <string_view>

namespace medvlm {

[[nodiscard]] std::string sha256_hex(std::string_view bytes);
[[nodiscard]] std::string sha256_hex(std::span<const unsigned char> bytes);

// Throws InputError naming the path when the file cannot be read.
[[nodiscard]] std::string sha256_file(const std::filesystem::path& path);

}  // namespace medvlm
