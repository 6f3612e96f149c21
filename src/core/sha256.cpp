#include "core/sha256.hpp"

#include <openssl/evp.h>

#include <array>
#include <fstream>
#include <memory>

#include "core/error.hpp"

namespace medvlm {
namespace {

struct DigestContextDeleter {
    void operator()(EVP_MD_CTX* context) const { EVP_MD_CTX_free(context); }
};
using DigestContext = std::unique_ptr<EVP_MD_CTX, DigestContextDeleter>;

DigestContext new_sha256_context() {
    DigestContext context(EVP_MD_CTX_new());
    if (!context || EVP_DigestInit_ex(context.get(), EVP_sha256(), nullptr) != 1) {
        throw Error("OpenSSL failed to initialise a SHA-256 digest");
    }
    return context;
}

std::string finish_hex(EVP_MD_CTX* context) {
    std::array<unsigned char, EVP_MAX_MD_SIZE> digest{};
    unsigned int length = 0;
    if (EVP_DigestFinal_ex(context, digest.data(), &length) != 1) {
        throw Error("OpenSSL failed to finish a SHA-256 digest");
    }
    static constexpr char kHex[] = "0123456789abcdef";
    std::string hex;
    hex.reserve(length * 2);
    for (unsigned int i = 0; i < length; ++i) {
        hex.push_back(kHex[digest[i] >> 4]);
        hex.push_back(kHex[digest[i] & 0x0f]);
    }
    return hex;
}

}  // namespace

std::string sha256_hex(std::string_view bytes) {
    auto context = new_sha256_context();
    EVP_DigestUpdate(context.get(), bytes.data(), bytes.size());
    return finish_hex(context.get());
}

std::string sha256_hex(std::span<const unsigned char> bytes) {
    auto context = new_sha256_context();
    EVP_DigestUpdate(context.get(), bytes.data(), bytes.size());
    return finish_hex(context.get());
}

std::string sha256_file(const std::filesystem::path& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) {
        throw InputError(path.string() + ": cannot open file for hashing");
    }
    auto context = new_sha256_context();
    std::array<char, 1 << 16> buffer{};
    while (in) {
        in.read(buffer.data(), buffer.size());
        const auto count = in.gcount();
        if (count > 0) {
            EVP_DigestUpdate(context.get(), buffer.data(), static_cast<size_t>(count));
        }
    }
    if (in.bad()) {
        throw InputError(path.string() + ": read failed while hashing");
    }
    return finish_hex(context.get());
}

}  // namespace medvlm
