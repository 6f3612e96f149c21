#include "engine/llama_backend.hpp"

#include <llama.h>
#include <mtmd-helper.h>

#include <mutex>
#include <string>

#include <spdlog/spdlog.h>

namespace medvlm {
namespace {

// llama.cpp and libmtmd log to stderr by default; route them to spdlog so
// their messages follow medvlm's verbosity.
void forward_llama_log(ggml_log_level level, const char* text, void* /*user_data*/) {
    std::string message = text == nullptr ? "" : text;
    while (!message.empty() && (message.back() == '\n' || message.back() == '\r')) {
        message.pop_back();
    }
    if (message.empty()) {
        return;
    }
    if (level == GGML_LOG_LEVEL_ERROR) {
        spdlog::error("llama.cpp: {}", message);
    } else if (level == GGML_LOG_LEVEL_WARN) {
        spdlog::debug("llama.cpp warning: {}", message);
    } else {
        spdlog::trace("llama.cpp: {}", message);
    }
}

}  // namespace

void init_llama_backend() {
    static std::once_flag once;
    std::call_once(once, [] {
        llama_log_set(forward_llama_log, nullptr);
        mtmd_helper_log_set(forward_llama_log, nullptr);
        llama_backend_init();
    });
}

}  // namespace medvlm
