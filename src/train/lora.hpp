#pragma once
// LoRA parameters: for each adapted weight W (ggml shape [in, out]) a pair
// A [in, r] and B [r, out], so the layer computes W x + (alpha / r) B (A x),
// the same product and scale llama.cpp applies for an adapter
// (src/llama-graph.cpp, build_lora_mm). The pairs are the trainer's only
// parameters. A starts uniform in +-1/sqrt(in) and B at zero, so training
// starts from the frozen model.

#include <cstdint>
#include <string>
#include <vector>

#include "train/model_config.hpp"

struct ggml_context;
struct ggml_tensor;
struct ggml_backend_buffer;

namespace medvlm {

struct LoraTarget {
    std::string weight;  // the frozen tensor's GGUF name, e.g. blk.3.attn_q.weight
    int64_t in = 0;
    int64_t out = 0;
};

// Attention and MLP projections of every decoder layer.
[[nodiscard]] std::vector<LoraTarget> language_lora_targets(const ModelConfig& config);
// The multimodal projector's matrix.
[[nodiscard]] std::vector<LoraTarget> projector_lora_targets(const ModelConfig& config);
// Attention and MLP projections of the last `blocks` vision-encoder blocks.
[[nodiscard]] std::vector<LoraTarget> vision_lora_targets(const ModelConfig& config, int blocks);

struct LoraPair {
    LoraTarget target;
    ggml_tensor* a = nullptr;
    ggml_tensor* b = nullptr;
};

class LoraParameters {
public:
    LoraParameters(std::vector<LoraTarget> targets, int rank, float alpha);
    ~LoraParameters();
    LoraParameters(const LoraParameters&) = delete;
    LoraParameters& operator=(const LoraParameters&) = delete;

    // Sets A to seeded uniform values and B to zero.
    void initialize(uint64_t seed);

    [[nodiscard]] int rank() const { return rank_; }
    [[nodiscard]] float alpha() const { return alpha_; }
    [[nodiscard]] float scale() const { return alpha_ / static_cast<float>(rank_); }
    [[nodiscard]] const std::vector<LoraPair>& pairs() const { return pairs_; }
    // nullptr when `weight` has no adapter.
    [[nodiscard]] const LoraPair* find(const std::string& weight) const;
    // Every A and B tensor, in a fixed order (pair by pair, A before B).
    [[nodiscard]] std::vector<ggml_tensor*> tensors() const;
    [[nodiscard]] int64_t parameter_count() const;

    [[nodiscard]] static std::vector<float> values(const ggml_tensor* tensor);
    static void set_values(ggml_tensor* tensor, const std::vector<float>& values);

private:
    int rank_;
    float alpha_;
    std::vector<LoraPair> pairs_;
    ggml_context* context_ = nullptr;
    ggml_backend_buffer* buffer_ = nullptr;
};

}  // namespace medvlm
