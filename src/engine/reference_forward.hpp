#pragma once
// A reference forward pass for checking medvlm's trainer against llama.cpp:
// one conversation (user turn with images, then the assistant's answer) run
// through libllama and libmtmd, returning the image embeddings of every
// tile and the logits that predict every answer token.
//
// Flash attention is off and the KV cache is F32 in both libraries, so
// the numbers differ from the trainer's graph only by summation order.

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "data/image.hpp"
#include "engine/conversation_tokenizer.hpp"
#include "engine/engine.hpp"

namespace medvlm {

struct ReferenceForwardOptions {
    std::filesystem::path model;
    std::filesystem::path mmproj;
    std::vector<std::filesystem::path> lora_adapters;
    std::string chat_template;  // empty: the model file's
    int threads = 1;
    ImageLimits image_limits;
};

struct ReferenceForward {
    TokenizedConversation conversation;
    int64_t embedding_length = 0;
    int32_t vocabulary_size = 0;
    // One entry per image chunk in prompt order: positions x embedding_length
    // floats, position-major, as libmtmd hands them to llama_decode.
    std::vector<std::vector<float>> tile_embeddings;
    // One row of vocabulary_size logits per answer token: row i comes from
    // the position before answer token i.
    std::vector<std::vector<float>> answer_logits;
};

// Throws EngineError when a file cannot be loaded or a decode fails, and
// ImageError when an image cannot be read.
[[nodiscard]] ReferenceForward run_reference_forward(const ReferenceForwardOptions& options,
                                                     const EngineRequest& request, const std::string& answer);

}  // namespace medvlm
