// The trainer's backward graph against central finite differences, for each
// variant, on the tiny random-weight model with a real SLAKE image.

#include <gtest/gtest.h>

#include <ggml.h>

#include <algorithm>
#include <cmath>

#include "core/random.hpp"
#include "support/test_support.hpp"
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
    // One head per attention chunk, so that variant C's chunked attention
    // (several heads and tiles at SmolVLM's shapes) is checked here too.
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
