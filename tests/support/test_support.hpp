#pragma once
// Shared helpers for medvlm's tests: locating the real benchmark data,
// temporary directories, tiny models and running the medvlm binary.

#include <filesystem>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "engine/llama_engine.hpp"
#include "model/tiny_model.hpp"

namespace medvlm::testing {

// The folder with the real benchmark files: $MEDVLM_SHARED_DATA, else
// ../shared/data next to the repository. Fails the calling test with a
// clear message when it is missing.
[[nodiscard]] std::filesystem::path shared_data_dir();

// A fresh empty directory under the system temp folder, removed at exit.
[[nodiscard]] std::filesystem::path make_temp_dir(const std::string& label);

// A tiny model written once per process for the given seed.
[[nodiscard]] const TinyModelFiles& tiny_model(uint64_t seed = 1);

// Options for an in-process engine on a tiny model's files, with a context
// of 4096 tokens per sequence and everything else at its default.
[[nodiscard]] LlamaEngineOptions tiny_engine_options(const TinyModelFiles& files);

void write_text(const std::filesystem::path& path, const std::string& content);

struct CommandResult {
    int exit_code = -1;
    std::string output;  // stdout and stderr together
};

// Wraps the text in single quotes for /bin/sh.
[[nodiscard]] std::string shell_quote(const std::string& text);

// Runs a /bin/sh command line and returns its exit code and whatever it
// wrote to stdout (redirect stderr in the command to capture it).
[[nodiscard]] CommandResult run_shell(const std::string& command);

// Runs the medvlm binary with the arguments (each shell-quoted).
[[nodiscard]] CommandResult run_medvlm(const std::vector<std::string>& arguments);

// Runs medvlm as run_medvlm does, killed after `timeout_s` seconds (exit
// code 124) and, unless `max_memory_kib` is 0, with its address space
// limited to that many KiB (`ulimit -v`), so a hang or a huge allocation
// fails the test instead of stalling or swapping the machine. A crash gives
// 128 + the signal number.
[[nodiscard]] CommandResult run_medvlm_bounded(const std::vector<std::string>& arguments, int timeout_s,
                                               long max_memory_kib);

[[nodiscard]] std::vector<nlohmann::json> read_jsonl(const std::filesystem::path& path);

}  // namespace medvlm::testing
