#pragma once
// ggml building blocks shared by the trainer's graphs.
//
// ggml has no backward pass for NORM (LayerNorm) or GELU at the pinned
// commit, so layers whose input needs a gradient use compositions of ops
// that have one. Frozen layers use ggml_norm and ggml_gelu themselves, the
// ops libmtmd runs, so cached activations match libmtmd's exactly.

struct ggml_context;
struct ggml_tensor;

namespace medvlm {

struct LoraPair;

// LayerNorm over dimension 0 without the affine part, as
// rms_norm(x - mean(x)). The mean is sum_rows scaled, subtracted by a
// broadcast ADD, because ggml's SUB backward does not reduce a broadcast
// operand.
[[nodiscard]] ggml_tensor* layer_norm_differentiable(ggml_context* ctx, ggml_tensor* x, float eps);

// GELU with the tanh approximation (the formula behind ggml_gelu):
// 0.5 x (1 + tanh(u)) = x * sigmoid(2u), u = sqrt(2/pi) (x + 0.044715 x^3),
// with sigmoid(z) written as exp(-softplus(-z)) so no intermediate overflows.
// ggml_gelu on the CPU reads an fp16 table, so the two differ by up to about
// 1e-3 relative; only trainable vision blocks use this one.
[[nodiscard]] ggml_tensor* gelu_differentiable(ggml_context* ctx, ggml_tensor* x);

// W x, plus scale * B (A x) when `lora` is not null: the order of products
// llama.cpp uses for adapters.
[[nodiscard]] ggml_tensor* lora_matmul(ggml_context* ctx, ggml_tensor* weight, ggml_tensor* x, const LoraPair* lora,
                                       float scale);

}  // namespace medvlm
