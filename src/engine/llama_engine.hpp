#pragma once
// The in-process engine: llama.cpp (libllama) for the language model and
// libmtmd for the image encoder and projector.
//
// A run sends the same images and question stem many times (every mode and
// rotation of a row), so the engine keeps what it computed:
//   - an image embedding cache: each image chunk goes through the vision
//     encoder once while it stays in the cache (bounded, least recently
//     used evicted first);
//   - prefix reuse: each of the `parallel` sequences keeps its KV cache
//     between calls, and a call evaluates only the part of its prompt after
//     the longest prefix it shares with what its sequence holds;
//   - batching: up to `parallel` calls are decoded together in one
//     llama.cpp batch, for generation and for choice log-probabilities.
// Results do not depend on these settings on the CPU backend (see
// engine/prompt_pieces.hpp for how batches are cut to keep them identical).

#include <cstddef>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "data/image.hpp"
#include "engine/engine.hpp"

namespace medvlm {

inline constexpr int kMaxParallelSequences = 64;

struct LlamaEngineOptions {
    std::filesystem::path model;
    std::filesystem::path mmproj;  // empty: a text-only model; image calls then fail
    std::vector<std::filesystem::path> lora_adapters;
    int context_size = 8192;  // tokens per sequence
    int batch_size = 2048;
    int threads = 0;  // 0: one per hardware thread
    bool use_gpu = true;
    // A llama.cpp built-in template name (chatml, gemma, smolvlm, ...) or a
    // template string; empty: the template stored in the model file.
    std::string chat_template;
    ImageLimits image_limits;

    // Sequences decoded together (1 to kMaxParallelSequences). Each keeps
    // a KV cache of context_size tokens.
    int parallel = 1;
    // Bound of the image embedding cache in bytes; 0 encodes every image
    // chunk of every call.
    size_t image_cache_bytes = size_t{256} << 20;
    // False: every call is evaluated from an empty KV cache.
    bool prefix_cache = true;
};

// Throws EngineError when the model, projector or adapters cannot be
// loaded, or when the options are out of range.
[[nodiscard]] std::unique_ptr<Engine> make_llama_engine(const LlamaEngineOptions& options);

}  // namespace medvlm
