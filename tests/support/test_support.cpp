#include "support/test_support.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <array>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <map>
#include <mutex>
#include <sys/wait.h>

#include "core/files.hpp"

namespace medvlm::testing {
namespace {

struct TempDirs {
    std::vector<std::filesystem::path> paths;
    ~TempDirs() {
        if (std::getenv("MEDVLM_KEEP_TEST_FILES") != nullptr) {
            return;
        }
        for (const auto& path : paths) {
            std::error_code ec;
            std::filesystem::remove_all(path, ec);
        }
    }
};

TempDirs& temp_dirs() {
    static TempDirs dirs;
    return dirs;
}

}  // namespace

std::filesystem::path shared_data_dir() {
    std::filesystem::path dir;
    if (const char* env = std::getenv("MEDVLM_SHARED_DATA")) {
        dir = env;
    } else {
        dir = std::filesystem::path(MEDVLM_SOURCE_DIR) / ".." / "shared" / "data";
    }
    if (!std::filesystem::is_directory(dir / "slake") || !std::filesystem::is_directory(dir / "vqa_rad") ||
        !std::filesystem::is_directory(dir / "medxpertqa_mm")) {
        ADD_FAILURE() << "benchmark data not found at " << dir.string()
                      << " (expected slake/, vqa_rad/ and medxpertqa_mm/ there). Place the data folder at "
                         "../shared/data next to the repository or set MEDVLM_SHARED_DATA.";
        throw std::runtime_error("benchmark data not found at " + dir.string());
    }
    return std::filesystem::canonical(dir);
}

std::filesystem::path make_temp_dir(const std::string& label) {
    std::string pattern = (std::filesystem::temp_directory_path() / ("medvlm-test-" + label + "-XXXXXX")).string();
    if (::mkdtemp(pattern.data()) == nullptr) {
        throw std::runtime_error("cannot create a temporary directory for " + label);
    }
    temp_dirs().paths.emplace_back(pattern);
    return pattern;
}

const TinyModelFiles& tiny_model(uint64_t seed) {
    static std::mutex mutex;
    static std::map<uint64_t, TinyModelFiles> models;
    std::lock_guard lock(mutex);
    auto it = models.find(seed);
    if (it == models.end()) {
        TinyModelOptions options;
        options.out_dir = make_temp_dir("tiny-model-" + std::to_string(seed));
        options.seed = seed;
        it = models.emplace(seed, write_tiny_model(options)).first;
    }
    return it->second;
}

LlamaEngineOptions tiny_engine_options(const TinyModelFiles& files) {
    LlamaEngineOptions options;
    options.model = files.model;
    options.mmproj = files.mmproj;
    options.context_size = 4096;
    return options;
}

void write_text(const std::filesystem::path& path, const std::string& content) {
    std::filesystem::create_directories(path.parent_path());
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out << content;
    if (!out) {
        throw std::runtime_error("cannot write " + path.string());
    }
}

std::string shell_quote(const std::string& text) {
    std::string quoted = "'";
    for (char c : text) {
        if (c == '\'') {
            quoted += "'\\''";
        } else {
            quoted += c;
        }
    }
    return quoted + "'";
}

CommandResult run_shell(const std::string& command) {
    CommandResult result;
    FILE* pipe = ::popen(command.c_str(), "r");
    if (pipe == nullptr) {
        throw std::runtime_error("cannot run " + command);
    }
    std::array<char, 4096> buffer{};
    size_t count = 0;
    while ((count = std::fread(buffer.data(), 1, buffer.size(), pipe)) > 0) {
        result.output.append(buffer.data(), count);
    }
    const int status = ::pclose(pipe);
    result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    return result;
}

namespace {

std::string medvlm_command(const std::vector<std::string>& arguments) {
    std::string command = shell_quote(MEDVLM_BINARY);
    for (const auto& argument : arguments) {
        command += " " + shell_quote(argument);
    }
    return command + " 2>&1";
}

}  // namespace

CommandResult run_medvlm(const std::vector<std::string>& arguments) { return run_shell(medvlm_command(arguments)); }

CommandResult run_medvlm_bounded(const std::vector<std::string>& arguments, int timeout_s, long max_memory_kib) {
    std::string command;
    if (max_memory_kib > 0) {
        command += "ulimit -v " + std::to_string(max_memory_kib) + " && ";
    }
    command += "timeout -k 5 " + std::to_string(timeout_s) + " " + medvlm_command(arguments);
    return run_shell(command);
}

std::vector<nlohmann::json> read_jsonl(const std::filesystem::path& path) {
    std::vector<nlohmann::json> rows;
    std::ifstream in(path);
    std::string line;
    while (std::getline(in, line)) {
        if (!line.empty()) {
            rows.push_back(nlohmann::json::parse(line));
        }
    }
    return rows;
}

}  // namespace medvlm::testing
