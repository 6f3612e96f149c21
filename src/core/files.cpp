#include "core/files.hpp"

#include <unistd.h>

#include <fstream>
#include <sstream>

#include "core/error.hpp"

namespace medvlm {

std::string read_file(const std::filesystem::path& path) {
    std::error_code ec;
    if (std::filesystem::is_directory(path, ec)) {
        throw InputError(path.string() + ": is a directory, expected a file");
    }
    std::ifstream in(path, std::ios::binary);
    if (!in) {
        throw InputError(path.string() + ": cannot open file (does it exist and is it readable?)");
    }
    std::ostringstream content;
    content << in.rdbuf();
    if (in.bad()) {
        throw InputError(path.string() + ": read failed");
    }
    return content.str();
}

void write_file_atomic(const std::filesystem::path& path, std::string_view content) {
    const auto temporary = path.string() + ".tmp." + std::to_string(::getpid());
    {
        std::ofstream out(temporary, std::ios::binary | std::ios::trunc);
        if (!out) {
            throw Error(temporary + ": cannot create file");
        }
        out.write(content.data(), static_cast<std::streamsize>(content.size()));
        out.flush();
        if (!out) {
            throw Error(temporary + ": write failed (disk full?)");
        }
    }
    std::error_code ec;
    std::filesystem::rename(temporary, path, ec);
    if (ec) {
        std::filesystem::remove(temporary, ec);
        throw Error(path.string() + ": cannot move the finished file into place");
    }
}

void write_json_atomic(const std::filesystem::path& path, const nlohmann::json& value) {
    write_file_atomic(path, value.dump(2) + "\n");
}

nlohmann::json read_json_file(const std::filesystem::path& path) {
    const std::string content = read_file(path);
    try {
        return nlohmann::json::parse(content);
    } catch (const nlohmann::json::exception& e) {
        throw InputError(path.string() + ": invalid JSON (" + e.what() + ")");
    }
}

}  // namespace medvlm
