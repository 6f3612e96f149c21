#include "support/llama_server.hpp"

#include <fcntl.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <regex>
#include <sstream>
#include <stdexcept>
#include <thread>

#include "engine/openai_http.hpp"
#include "support/test_support.hpp"

namespace medvlm::testing {
namespace {

std::string read_whole(const std::filesystem::path& path) {
    std::ifstream in(path, std::ios::binary);
    std::ostringstream content;
    content << in.rdbuf();
    return content.str();
}

}  // namespace

bool process_running(pid_t pid) {
    if (pid <= 0 || ::kill(pid, 0) != 0) {
        return false;
    }
    std::ifstream status("/proc/" + std::to_string(pid) + "/status");
    std::string line;
    while (std::getline(status, line)) {
        if (line.rfind("State:", 0) == 0) {
            return line.find('Z') == std::string::npos;
        }
    }
    return true;
}

std::filesystem::path LlamaServer::binary() { return std::filesystem::path(MEDVLM_LLAMA_BIN_DIR) / "llama-server"; }

LlamaServer::LlamaServer(const std::filesystem::path& model, const std::filesystem::path& mmproj,
                         const std::vector<std::string>& extra_arguments) {
    const auto server = binary();
    if (!std::filesystem::exists(server)) {
        throw std::runtime_error(server.string() + " not found; scripts/setup.sh builds llama-server with llama.cpp");
    }
    log_path_ = make_temp_dir("llama-server") / "server.log";

    std::vector<std::string> arguments = {server.string(), "-m",     model.string(), "--mmproj", mmproj.string(),
                                          "--host",        "127.0.0.1", "--port", "0"};
    arguments.insert(arguments.end(), extra_arguments.begin(), extra_arguments.end());
    std::vector<char*> argv;
    for (auto& argument : arguments) {
        argv.push_back(argument.data());
    }
    argv.push_back(nullptr);

    const pid_t parent = ::getpid();
    pid_ = ::fork();
    if (pid_ < 0) {
        throw std::runtime_error("fork failed while starting llama-server");
    }
    if (pid_ == 0) {
        // Dies with the test process, even when that one is killed.
        ::prctl(PR_SET_PDEATHSIG, SIGKILL);
        if (::getppid() != parent) {
            ::_exit(127);
        }
        const int log = ::open(log_path_.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
        ::dup2(log, STDOUT_FILENO);
        ::dup2(log, STDERR_FILENO);
        ::execv(argv[0], argv.data());
        ::_exit(127);
    }

    // The server logs "listening on http://127.0.0.1:PORT" once bound, then
    // answers /health with 200 once the model is loaded.
    const std::regex listening(R"(listening on http://127\.0\.0\.1:(\d+))");
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(120);
    HttpClient client;
    while (std::chrono::steady_clock::now() < deadline) {
        if (!process_running(pid_)) {
            const std::string output = log();
            stop();
            throw std::runtime_error("llama-server exited during start-up:\n" + output);
        }
        std::smatch match;
        const std::string output = log();
        if (port_ == 0 && std::regex_search(output, match, listening)) {
            port_ = std::stoi(match[1]);
        }
        if (port_ != 0) {
            const auto health = client.get("http://127.0.0.1:" + std::to_string(port_) + "/health", "", 5);
            if (health.received && health.status == 200) {
                return;
            }
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    const std::string output = log();
    stop();
    throw std::runtime_error("llama-server did not become ready within 120 s:\n" + output);
}

LlamaServer::~LlamaServer() { stop(); }

std::string LlamaServer::base_url() const { return "http://127.0.0.1:" + std::to_string(port_) + "/v1"; }

std::string LlamaServer::log() const { return read_whole(log_path_); }

void LlamaServer::stop() {
    if (pid_ <= 0) {
        return;
    }
    ::kill(pid_, SIGTERM);
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(15);
    int status = 0;
    while (::waitpid(pid_, &status, WNOHANG) == 0) {
        if (std::chrono::steady_clock::now() > deadline) {
            ::kill(pid_, SIGKILL);
            (void)::waitpid(pid_, &status, 0);
            break;
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    pid_ = -1;
}

}  // namespace medvlm::testing
