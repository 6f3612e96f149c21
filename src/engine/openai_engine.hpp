#pragma once
// The OpenAI-compatible engine: chat completions over HTTP (libcurl) against
// llama-server, vLLM, SGLang, Ollama, LM Studio or any server with the same
// API, on one or several endpoints with a bounded number of requests in
// flight.
//
// Each call is one POST to ENDPOINT/chat/completions (openai_messages.hpp
// has the body). Connection errors, timeouts, 429 and 5xx are retried with
// backoff (openai_retry.hpp), on another endpoint when there is one; a call
// that still fails, or whose response is not valid JSON or lacks a
// message, comes back as ok=false with the reason and is retried by the
// next session of the run.
//
// The server reports only usage.prompt_tokens, so EngineResult's image
// counts stay 0 and the summary proves images arrived by comparing prompt
// tokens with the text-only call of the same row.

#include <memory>
#include <string>
#include <vector>

#include "data/image.hpp"
#include "engine/engine.hpp"
#include "engine/openai_retry.hpp"

namespace medvlm {

struct OpenAiEngineOptions {
    // Base URLs of the API, such as http://127.0.0.1:8080/v1; medvlm appends
    // /chat/completions and /models.
    std::vector<std::string> endpoints;
    std::string model_name;
    int concurrency = 4;  // requests in flight across all endpoints
    // Name of the environment variable holding the API key; empty: no key.
    std::string api_key_env;
    double request_timeout_s = 300;
    RetryPolicy retry;
    ImageLimits image_limits;
};

// Checks every endpoint with GET /models first. Throws InputError for
// invalid options or an unset key variable, and EngineError when an
// endpoint cannot be reached or rejects the key.
[[nodiscard]] std::unique_ptr<Engine> make_openai_engine(const OpenAiEngineOptions& options);

}  // namespace medvlm
