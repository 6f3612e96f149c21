#pragma once
// ggml building blocks shared by the trainer's graphs.
//
// ggml has no backward pass for NORM (LayerNorm) or GELU at the pinned
// commit, so layers whose input needs a gradient use compositions of ops
// that have one. Frozen layers use ggml_norm and ggml_gelu themselves, the
// ops libmtmd runs, so cached activations match libmtmd's exactly.

#include <unordered_map>

struct ggml_context;
struct ggml_tensor;

namespace medvlm {

struct LoraPair;

// LayerNorm over dimension 0 without the affine part, as
// rms_norm(x - mean(x)). The mean is sum_rows scaled, subtracted by a
// broadcast ADD, because ggml's SUB backward does not reduce a broadcast
// operand.
[[nodiscard]] ggml_tensor* layer_norm_differentiable(ggml_context* ctx, ggml_tensor* x, float eps);

// GELU with the tanh approximation, 0.5 x (1 + tanh(sqrt(2/pi) (x +
// 0.044715 x^3))), for layers whose input needs a gradient. ggml has no
// backward pass for TANH, and a GELU built from ops that have one keeps four
// activations for the backward pass. This one computes the value and its
// derivative d behind stop_gradient and returns x * d + (value - x * d),
// where only x * d is differentiable, so the backward pass keeps only d.
// ggml_gelu on the CPU reads an fp16 table, so the two differ by up to about
// 1e-3 relative. Only trainable vision blocks use this one.
[[nodiscard]] ggml_tensor* gelu_differentiable(ggml_context* ctx, ggml_tensor* x);

// x's values, treated as a constant by ggml's backward pass. ggml has no
// stop-gradient op, but its backward expansion skips I32 nodes
// (ggml_build_backward_expand), so the values pass through a view typed I32
// (the bits unchanged, nothing computed) and a view typed F32 again.
[[nodiscard]] ggml_tensor* stop_gradient(ggml_context* ctx, ggml_tensor* x);

// Whether a tensor depends on a LoRA parameter, so its consumers need a
// gradient for it. Remembers the answers for the graph being built.
class ParameterDependence {
public:
    [[nodiscard]] bool operator()(ggml_tensor* tensor);

private:
    std::unordered_map<const ggml_tensor*, bool> known_;
};

// A frozen matrix as stored (F32, F16 or Q8_0), with an F32 copy for the
// backward pass when the stored type is not F32 (see backward_weights.hpp).
struct FrozenMatrix {
    ggml_tensor* stored = nullptr;
    ggml_tensor* backward = nullptr;
};

// W x, plus scale * B (A x) when `lora` is not null: the order of products
// llama.cpp uses for adapters (src/llama-graph.cpp, build_lora_mm). When x
// needs a gradient and W has an F32 copy, the value still comes from the
// stored W, and the gradient flows through C - stop_gradient(C) with
// C = W_f32 x, a term that is exactly zero.
[[nodiscard]] ggml_tensor* lora_matmul(ggml_context* ctx, const FrozenMatrix& weight, ggml_tensor* x,
                                       bool x_needs_gradient, const LoraPair* lora, float scale);

}  // namespace medvlm
