#pragma once
// F32 copies of quantized frozen matrices, used only by the backward pass.
//
// ggml differentiates a product W x with respect to x through OUT_PROD. For
// an F32 W the CPU kernel works in cache-sized blocks. For a quantized W it
// dequantizes every row of W once per token (ggml-cpu ops.cpp,
// out_prod_q_f32 at the pinned commit), where most of a SmolVLM-256M step's
// time went with Q8_0 weights. The trainer therefore computes the forward
// product with the stored (quantized) W, exactly as llama.cpp does, and
// routes the gradient through an F32 copy (see graph_ops.hpp, lora_matmul).

#include <map>
#include <string>
#include <vector>

struct ggml_context;
struct ggml_tensor;
struct ggml_backend_buffer;

namespace medvlm {

class BackwardWeights {
public:
    BackwardWeights() = default;
    ~BackwardWeights();
    BackwardWeights(const BackwardWeights&) = delete;
    BackwardWeights& operator=(const BackwardWeights&) = delete;

    // Replaces the copies with dequantized copies of the non-F32 tensors
    // among `weights`; F32 tensors need none.
    void build(const std::vector<const ggml_tensor*>& weights);

    // The F32 copy of the named weight, or nullptr when it has none.
    [[nodiscard]] ggml_tensor* find(const std::string& name) const;
    [[nodiscard]] size_t bytes() const;

private:
    void release();

    ggml_context* context_ = nullptr;
    ggml_backend_buffer* buffer_ = nullptr;
    std::map<std::string, ggml_tensor*> copies_;
};

}  // namespace medvlm
