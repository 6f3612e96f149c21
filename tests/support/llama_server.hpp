#pragma once
// The real llama-server (from the llama.cpp build the project links) as a
// child process for tests: started on 127.0.0.1 with a free port chosen by
// the server itself, waited for until /health answers 200, and stopped
// (SIGTERM, then SIGKILL) when the object goes away. The child also gets
// SIGKILL if the test process dies first, so no server outlives a test run.

#include <sys/types.h>

#include <filesystem>
#include <string>
#include <vector>

namespace medvlm::testing {

class LlamaServer {
public:
    // `extra_arguments` go after the model, projector, host and port.
    LlamaServer(const std::filesystem::path& model, const std::filesystem::path& mmproj,
                const std::vector<std::string>& extra_arguments);
    LlamaServer(const LlamaServer&) = delete;
    LlamaServer& operator=(const LlamaServer&) = delete;
    ~LlamaServer();

    [[nodiscard]] int port() const { return port_; }
    [[nodiscard]] std::string base_url() const;  // "http://127.0.0.1:PORT/v1"
    [[nodiscard]] std::string log() const;       // the server's output so far
    [[nodiscard]] pid_t pid() const { return pid_; }

    // The llama-server binary next to the linked llama.cpp.
    [[nodiscard]] static std::filesystem::path binary();

    void stop();

private:
    std::filesystem::path log_path_;
    pid_t pid_ = -1;
    int port_ = 0;
};

// True while a process with this id exists (a zombie counts as gone).
[[nodiscard]] bool process_running(pid_t pid);

}  // namespace medvlm::testing
