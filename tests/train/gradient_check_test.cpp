// The trainer's backward graph against central finite differences, for each
// variant, on the tiny random-weight model with a real SLAKE image.

#include <gtest/gtest.h>

#include <ggml-cpu.h>
#include <ggml.h>

#include <algorithm>
#include <cmath>
#include <memory>

#include "core/random.hpp"
#include "support/test_support.hpp"
#include "train/graph_ops.hpp"
#include "train/train_test_data.hpp"

namespace medvlm {
namespace {

// Step h of the central difference (L(x + h) - L(x - h)) / 2h. The loss is a
// float32 sum over the vocabulary with a rounding error near 1e-6, which the
// difference divides by 2h, so h = 1e-2 keeps that error near 5e-5. The
// truncation error h^2 L''' / 6 grows with the size of the gradient.
constexpr float kStep = 1e-2f;
// |numeric - analytic| <= kAbsolute + kRelative * |analytic|: kAbsolute covers
// the rounding error, kRelative the truncation error on large gradients. The
// largest difference measured on this model was 1.2e-4, on a component of
// 0.22. A wrong backward op (a missing term, a transposed operand, a dropped
// LoRA scale) is off by 100 % or more.
constexpr double kAbsolute = 2e-4;
constexpr double kRelative = 2e-2;

class GradientCheck : public ::testing::TestWithParam<Variant> {};

// Sets every LoRA tensor (B included, which starts at zero) to small random
// values, so every path carries a gradient.
void randomize(LoraParameters& lora) {
    SplitMix64 random(99);
    for (ggml_tensor* tensor : lora.tensors()) {
        std::vector<float> values(static_cast<size_t>(ggml_nelements(tensor)));
        for (auto& value : values) {
            value = random.uniform_signed() * 0.2f;
        }
        LoraParameters::set_values(tensor, values);
    }
}

double loss_with(TrainingSession& session, const TokenizedSample& sample, ggml_tensor* tensor, size_t index, float value) {
    std::vector<float> values = LoraParameters::values(tensor);
    const float saved = values[index];
    values[index] = value;
    LoraParameters::set_values(tensor, values);
    const double loss = session.forward(sample).loss;
    values[index] = saved;
    LoraParameters::set_values(tensor, values);
    return loss;
}

TEST_P(GradientCheck, MatchesFiniteDifferences) {
    const Variant variant = GetParam();
    const auto dir = testing::make_temp_dir("gradient-check");
    const auto stage = testing::write_stage_file(dir / "stage.jsonl", testing::slake_train(1));
    SessionOptions options = testing::tiny_session_options(variant, dir);
    // One head per chunk, so variant C's chunked attention is checked too.
    options.attention_chunk_bytes = 1;
    TrainingSession session(options);
    const auto samples = session.prepare_samples(read_training_files({stage}).records);
    ASSERT_EQ(samples.size(), 1u);
    ASSERT_GT(samples[0].tiles.size(), 1u);
    session.cache_vision(samples);
    randomize(session.lora());

    const GradientOutput analytic = session.loss_and_gradients(samples[0]);
    EXPECT_NEAR(analytic.loss, session.forward(samples[0]).loss, 1e-5);

    // Tensors from every adapted part: first and last decoder layer, the
    // projector (B, C) and the adapted vision block (C).
    std::vector<std::string> checked = {"blk.0.attn_q.weight.lora_a", "blk.0.attn_v.weight.lora_b",
                                        "blk.1.ffn_down.weight.lora_a", "blk.1.ffn_gate.weight.lora_b"};
    if (variant != Variant::A) {
        checked.insert(checked.end(), {"mm.model.fc.weight.lora_a", "mm.model.fc.weight.lora_b"});
    }
    if (variant == Variant::C) {
        checked.insert(checked.end(), {"v.blk.1.attn_k.weight.lora_a", "v.blk.1.attn_out.weight.lora_b",
                                       "v.blk.1.ffn_up.weight.lora_a", "v.blk.1.ffn_down.weight.lora_b"});
    }
    ASSERT_EQ(analytic.gradients.size(), session.lora().tensors().size());

    for (const auto& name : checked) {
        ggml_tensor* tensor = nullptr;
        for (ggml_tensor* candidate : session.lora().tensors()) {
            if (name == ggml_get_name(candidate)) {
                tensor = candidate;
            }
        }
        ASSERT_NE(tensor, nullptr) << name;
        const std::vector<float>& gradient = analytic.gradients.at(name);
        // The largest component and two fixed others.
        const auto largest = static_cast<size_t>(
            std::max_element(gradient.begin(), gradient.end(),
                             [](float a, float b) { return std::fabs(a) < std::fabs(b); }) -
            gradient.begin());
        ASSERT_GT(std::fabs(gradient[largest]), 1e-3) << name << ": the gradient is (nearly) zero";
        for (const size_t index : {largest, gradient.size() / 3, gradient.size() - 1}) {
            const float value = LoraParameters::values(tensor)[index];
            const double numeric = (loss_with(session, samples[0], tensor, index, value + kStep) -
                                    loss_with(session, samples[0], tensor, index, value - kStep)) /
                                   (2.0 * kStep);
            EXPECT_NEAR(numeric, gradient[index], kAbsolute + kRelative * std::fabs(gradient[index]))
                << name << "[" << index << "]";
        }
    }
}

// Compares the trainable GELU's value and ggml's gradient of it with the
// formula and its derivative in double precision, over [-6, 6]. Float32
// rounding is near 1e-7 relative (an estimate), so 1e-5 catches a wrong term.
TEST(TrainableGelu, ValueAndGradientMatchFormula) {
    ggml_init_params params{16 * 1024 * 1024, nullptr, false};
    const std::unique_ptr<ggml_context, decltype(&ggml_free)> context(ggml_init(params), &ggml_free);
    ASSERT_NE(context, nullptr);
    ggml_context* ctx = context.get();
    constexpr int64_t kCount = 801;
    ggml_tensor* x = ggml_new_tensor_1d(ctx, GGML_TYPE_F32, kCount);
    ggml_set_param(x);
    std::vector<double> inputs(kCount);
    for (int64_t i = 0; i < kCount; ++i) {
        inputs[i] = -6.0 + 12.0 * static_cast<double>(i) / (kCount - 1);
        ggml_set_f32_1d(x, static_cast<int>(i), static_cast<float>(inputs[i]));
    }
    ggml_tensor* y = gelu_differentiable(ctx, x);
    ggml_tensor* loss = ggml_sum(ctx, y);
    ggml_set_loss(loss);
    ggml_cgraph* graph = ggml_new_graph_custom(ctx, GGML_DEFAULT_GRAPH_SIZE, true);
    ggml_build_forward_expand(graph, loss);
    ggml_build_backward_expand(ctx, graph, nullptr);
    ggml_graph_reset(graph);
    ASSERT_EQ(ggml_graph_compute_with_ctx(ctx, graph, 1), GGML_STATUS_SUCCESS);

    const ggml_tensor* gradient = ggml_graph_get_grad(graph, x);
    ASSERT_NE(gradient, nullptr);
    constexpr double kCubic = 0.044715;
    const double c = std::sqrt(2.0 / 3.14159265358979323846);
    for (int64_t i = 0; i < kCount; ++i) {
        const double v = inputs[i];
        const double t = std::tanh(c * (v + kCubic * v * v * v));
        const double value = 0.5 * v * (1.0 + t);
        const double slope = 0.5 * (1.0 + t) + 0.5 * v * (1.0 - t * t) * c * (1.0 + 3.0 * kCubic * v * v);
        EXPECT_NEAR(ggml_get_f32_1d(y, static_cast<int>(i)), value, 1e-5 * (1.0 + std::fabs(value))) << "x = " << v;
        EXPECT_NEAR(ggml_get_f32_1d(gradient, static_cast<int>(i)), slope, 1e-5) << "x = " << v;
    }
}

// Chunking the attention of the adapted vision blocks changes which buffers
// the allocator can reuse, not what is computed: each score is the same dot
// product, so the loss, logits and gradients agree to the last bit.
TEST(AttentionChunks, ResultsDoNotDependOnChunkSize) {
    const auto dir = testing::make_temp_dir("attention-chunks");
    const auto stage = testing::write_stage_file(dir / "stage.jsonl", testing::slake_train(1));
    const auto run = [&](int64_t chunk_bytes) {
        SessionOptions options = testing::tiny_session_options(Variant::C, dir);
        options.attention_chunk_bytes = chunk_bytes;
        TrainingSession session(options);
        const auto samples = session.prepare_samples(read_training_files({stage}).records);
        session.cache_vision(samples);
        randomize(session.lora());
        return std::make_pair(session.forward(samples[0]), session.loss_and_gradients(samples[0]));
    };
    const auto [whole_forward, whole] = run(int64_t{1} << 40);
    const auto [chunked_forward, chunked] = run(1);
    EXPECT_EQ(chunked.loss, whole.loss);
    EXPECT_EQ(chunked_forward.logits, whole_forward.logits);
    EXPECT_EQ(chunked_forward.tile_embeddings, whole_forward.tile_embeddings);
    EXPECT_EQ(chunked.gradients, whole.gradients);
}

INSTANTIATE_TEST_SUITE_P(Variants, GradientCheck, ::testing::Values(Variant::A, Variant::B, Variant::C),
                         [](const auto& info) { return "Variant" + variant_name(info.param); });

}  // namespace
}  // namespace medvlm
