#pragma once
// The in-process engine: llama.cpp (libllama) for the language model and
// libmtmd for the image encoder and projector.

#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "data/image.hpp"
#include "engine/engine.hpp"

namespace medvlm {

struct LlamaEngineOptions {
    std::filesystem::path model;
    std::filesystem::path mmproj;  // empty: a text-only model; image calls then fail
    std::vector<std::filesystem::path> lora_adapters;
    int context_size = 8192;
    int batch_size = 2048;
    int threads = 0;  // 0: one per hardware thread
    bool use_gpu = true;
    // A llama.cpp built-in template name (chatml, gemma, smolvlm, ...) or a
    // template string; empty: the template stored in the model file.
    std::string chat_template;
    ImageLimits image_limits;
};

// Throws EngineError when the model, projector or adapters cannot be loaded.
[[nodiscard]] std::unique_ptr<Engine> make_llama_engine(const LlamaEngineOptions& options);

}  // namespace medvlm
