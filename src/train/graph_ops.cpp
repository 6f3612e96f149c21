#include "train/graph_ops.hpp"

#include <ggml.h>

#include <vector>

#include "train/lora.hpp"

namespace medvlm {

ggml_tensor* layer_norm_differentiable(ggml_context* ctx, ggml_tensor* x, float eps) {
    ggml_tensor* negative_mean = ggml_scale(ctx, ggml_sum_rows(ctx, x), -1.0f / static_cast<float>(x->ne[0]));
    ggml_tensor* centered = ggml_add(ctx, x, negative_mean);
    return ggml_rms_norm(ctx, centered, eps);
}

ggml_tensor* gelu_differentiable(ggml_context* ctx, ggml_tensor* x) {
    constexpr float kCubic = 0.044715f;
    constexpr float kSqrtTwoOverPi = 0.79788456080286535587989211986876f;
    // stop_gradient below keeps these ops out of the backward pass.
    ggml_tensor* square = ggml_sqr(ctx, x);
    ggml_tensor* u = ggml_scale(ctx, ggml_mul(ctx, x, ggml_scale_bias(ctx, square, kCubic, 1.0f)), kSqrtTwoOverPi);
    ggml_tensor* half_one_plus_tanh = ggml_scale_bias(ctx, ggml_tanh(ctx, u), 0.5f, 0.5f);
    ggml_tensor* value = ggml_mul(ctx, x, half_one_plus_tanh);
    // d/dx = h + x / 2 (1 - tanh^2 u) du/dx with h = (1 + tanh u) / 2,
    // du/dx = c (1 + 3 a x^2) and 1 - tanh^2 u = 4 h (1 - h).
    ggml_tensor* sech_squared =
        ggml_scale(ctx, ggml_mul(ctx, half_one_plus_tanh, ggml_scale_bias(ctx, half_one_plus_tanh, -1.0f, 1.0f)), 4.0f);
    ggml_tensor* du_dx = ggml_scale_bias(ctx, square, 3.0f * kCubic * kSqrtTwoOverPi, kSqrtTwoOverPi);
    ggml_tensor* slope = ggml_add(
        ctx, half_one_plus_tanh, ggml_mul(ctx, ggml_scale(ctx, x, 0.5f), ggml_mul(ctx, sech_squared, du_dx)));
    ggml_tensor* linear_part = ggml_mul(ctx, x, stop_gradient(ctx, slope));
    return ggml_add(ctx, linear_part, stop_gradient(ctx, ggml_sub(ctx, value, linear_part)));
}

ggml_tensor* stop_gradient(ggml_context* ctx, ggml_tensor* x) {
    static_assert(sizeof(int32_t) == sizeof(float), "the I32 view must keep the F32 layout");
    ggml_tensor* bits = ggml_view_4d(ctx, x, x->ne[0], x->ne[1], x->ne[2], x->ne[3], x->nb[1], x->nb[2], x->nb[3], 0);
    bits->type = GGML_TYPE_I32;
    ggml_tensor* values =
        ggml_view_4d(ctx, bits, x->ne[0], x->ne[1], x->ne[2], x->ne[3], x->nb[1], x->nb[2], x->nb[3], 0);
    values->type = GGML_TYPE_F32;
    return values;
}

bool ParameterDependence::operator()(ggml_tensor* tensor) {
    // Iterative depth-first search: decoder graphs are thousands of ops deep.
    std::vector<std::pair<ggml_tensor*, bool>> stack = {{tensor, false}};
    while (!stack.empty()) {
        auto [node, expanded] = stack.back();
        stack.pop_back();
        if (known_.count(node) > 0) {
            continue;
        }
        if (node->flags & GGML_TENSOR_FLAG_PARAM) {
            known_[node] = true;
            continue;
        }
        if (!expanded) {
            stack.push_back({node, true});
            for (ggml_tensor* source : node->src) {
                if (source != nullptr && known_.count(source) == 0) {
                    stack.push_back({source, false});
                }
            }
            continue;
        }
        bool depends = false;
        if (node->type != GGML_TYPE_I32) {
            for (ggml_tensor* source : node->src) {
                depends = depends || (source != nullptr && known_.at(source));
            }
        }
        known_[node] = depends;
    }
    return known_.at(tensor);
}

ggml_tensor* lora_matmul(ggml_context* ctx, const FrozenMatrix& weight, ggml_tensor* x, bool x_needs_gradient,
                         const LoraPair* lora, float scale) {
    ggml_tensor* result = nullptr;
    if (x_needs_gradient && weight.backward != nullptr) {
        result = ggml_mul_mat(ctx, weight.stored, stop_gradient(ctx, x));
        ggml_tensor* carrier = ggml_mul_mat(ctx, weight.backward, x);
        result = ggml_add(ctx, result, ggml_sub(ctx, carrier, stop_gradient(ctx, carrier)));
    } else {
        result = ggml_mul_mat(ctx, weight.stored, x);
    }
    if (lora == nullptr) {
        return result;
    }
    ggml_tensor* low_rank = ggml_mul_mat(ctx, lora->b, ggml_mul_mat(ctx, lora->a, x));
    return ggml_add(ctx, result, ggml_scale(ctx, low_rank, scale));
}

}  // namespace medvlm
