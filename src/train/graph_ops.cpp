#include "train/graph_ops.hpp"

#include <ggml.h>

#include "train/lora.hpp"

namespace medvlm {

ggml_tensor* layer_norm_differentiable(ggml_context* ctx, ggml_tensor* x, float eps) {
    ggml_tensor* negative_mean = ggml_scale(ctx, ggml_sum_rows(ctx, x), -1.0f / static_cast<float>(x->ne[0]));
    ggml_tensor* centered = ggml_add(ctx, x, negative_mean);
    return ggml_rms_norm(ctx, centered, eps);
}

ggml_tensor* gelu_differentiable(ggml_context* ctx, ggml_tensor* x) {
    constexpr float kCubicCoefficient = 0.044715f;
    constexpr float kSqrtTwoOverPi = 0.79788456080286535587989211986876f;
    ggml_tensor* cubic_factor = ggml_scale_bias(ctx, ggml_sqr(ctx, x), kCubicCoefficient, 1.0f);
    ggml_tensor* minus_two_u = ggml_scale(ctx, ggml_mul(ctx, x, cubic_factor), -2.0f * kSqrtTwoOverPi);
    ggml_tensor* sigmoid = ggml_exp(ctx, ggml_scale(ctx, ggml_softplus(ctx, minus_two_u), -1.0f));
    return ggml_mul(ctx, x, sigmoid);
}

ggml_tensor* lora_matmul(ggml_context* ctx, ggml_tensor* weight, ggml_tensor* x, const LoraPair* lora, float scale) {
    ggml_tensor* result = ggml_mul_mat(ctx, weight, x);
    if (lora == nullptr) {
        return result;
    }
    ggml_tensor* low_rank = ggml_mul_mat(ctx, lora->b, ggml_mul_mat(ctx, lora->a, x));
    return ggml_add(ctx, result, ggml_scale(ctx, low_rank, scale));
}

}  // namespace medvlm
