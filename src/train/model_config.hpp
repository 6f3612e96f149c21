#pragma once
// Hyper-parameters of the model pair the trainer supports, read from the
// GGUF files and checked before any ggml graph is built (ggml aborts on
// mismatched shapes, so every shape is validated here first).
//
// Supported: a llama-architecture language model (general.architecture =
// llama) with an idefics3 (SmolVLM) projector (clip.projector_type =
// idefics3), weights stored as F32, F16 or Q8_0.

#include <array>
#include <cstdint>
#include <string>

#include "train/weight_file.hpp"

namespace medvlm {

struct LanguageModelConfig {
    int64_t n_embd = 0;
    int64_t n_layer = 0;
    int64_t n_head = 0;
    int64_t n_head_kv = 0;
    int64_t head_dim = 0;
    int64_t n_ff = 0;
    int64_t n_vocab = 0;
    int64_t n_ctx_train = 0;
    float rms_norm_eps = 0;
    float rope_freq_base = 10000.0f;
    bool tied_output = false;  // no output.weight: token_embd.weight is the output matrix

    [[nodiscard]] int64_t kv_dim() const { return head_dim * n_head_kv; }
};

struct VisionConfig {
    int64_t image_size = 0;  // tile side in pixels
    int64_t patch_size = 0;
    int64_t n_embd = 0;
    int64_t n_ff = 0;
    int64_t n_layer = 0;
    int64_t n_head = 0;
    int64_t scale_factor = 0;    // pixel-shuffle factor per side
    int64_t longest_edge = 0;    // images are resized so their longer side is this before tiling
    float layer_norm_eps = 0;
    std::array<float, 3> image_mean{};
    std::array<float, 3> image_std{};

    [[nodiscard]] int64_t patches_per_side() const { return image_size / patch_size; }
    [[nodiscard]] int64_t n_patches() const { return patches_per_side() * patches_per_side(); }
    [[nodiscard]] int64_t head_dim() const { return n_embd / n_head; }
    [[nodiscard]] int64_t tokens_per_tile() const { return n_patches() / (scale_factor * scale_factor); }
    [[nodiscard]] int64_t merged_dim() const { return n_embd * scale_factor * scale_factor; }
};

struct ModelConfig {
    LanguageModelConfig language;
    VisionConfig vision;
};

// Throws InputError naming the file, the unsupported feature and what is
// supported, for any architecture, key, tensor, shape or type the trainer's
// graph does not reproduce.
[[nodiscard]] ModelConfig read_model_config(const WeightFile& model, const WeightFile& mmproj);

// The sentence every unsupported-model error ends with.
[[nodiscard]] std::string supported_architectures();

}  // namespace medvlm
