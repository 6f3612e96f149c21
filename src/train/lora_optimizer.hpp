#pragma once
// AdamW on the LoRA parameters through ggml-opt, one sample per step.
//
// The graph changes shape with every sample, so it is rebuilt each step
// (ggml_opt_prepare_alloc + ggml_opt_alloc + ggml_opt_eval). Two properties
// of ggml-opt at the pinned commit shape this class:
//   - with rebuilt graphs and opt_period 1, ggml-opt zeroes the gradient
//     accumulators only on the first step, so later gradients keep summing.
//     Each parameter's accumulator is zeroed after ggml_opt_alloc.
//   - ggml-opt matches accumulators and AdamW moments to parameters by node
//     index in the first graph. The parameters are therefore added to every
//     graph first, in a fixed order, and the node count is checked to stay
//     the same from step to step.
// ggml-opt exposes neither the AdamW moments nor its step count, so a
// scheduler callback reads and restores the moments for checkpoints and sets
// the bias-correction terms from this class's own step count.

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "train/training_session.hpp"

struct ggml_backend_sched;
struct ggml_opt_context;
struct ggml_tensor;

namespace medvlm {

struct AdamWSettings {
    float learning_rate = 1e-4f;
    float beta1 = 0.9f;
    float beta2 = 0.999f;
    float epsilon = 1e-8f;
    float weight_decay = 0.0f;
};

struct AdamWMoments {
    std::vector<float> first;
    std::vector<float> second;
};

class LoraOptimizer {
public:
    // `reset_gradient_accumulators` exists so a test can show the bug it
    // works around; training always passes true.
    LoraOptimizer(TrainingSession& session, const AdamWSettings& settings, bool reset_gradient_accumulators = true);
    ~LoraOptimizer();
    LoraOptimizer(const LoraOptimizer&) = delete;
    LoraOptimizer& operator=(const LoraOptimizer&) = delete;

    // One forward pass, backward pass and AdamW update on the sample.
    // Returns the sample's loss before the update.
    double step(const TokenizedSample& sample);

    [[nodiscard]] int64_t steps_done() const { return steps_done_; }
    [[nodiscard]] const AdamWSettings& settings() const { return settings_; }

    // The gradient ggml-opt applied in the last step, read from its
    // accumulator for `parameter`.
    [[nodiscard]] std::vector<float> last_gradient(const ggml_tensor* parameter) const;

    // AdamW moments by parameter name; empty before the first step.
    [[nodiscard]] std::map<std::string, AdamWMoments> moments() const;
    // Continues a run: the next step is step `steps_done` + 1 and starts
    // from these moments.
    void restore(int64_t steps_done, std::map<std::string, AdamWMoments> moments);

private:
    static bool observe_node(ggml_tensor* node, bool ask, void* user_data);
    void on_optimizer_node(ggml_tensor* node);

    TrainingSession& session_;
    AdamWSettings settings_;
    bool reset_gradient_accumulators_;
    ggml_backend_sched* scheduler_ = nullptr;
    ggml_opt_context* optimizer_ = nullptr;
    struct ContextHolder;
    std::unique_ptr<ContextHolder> graph_context_;  // the last step's graph
    std::map<const ggml_tensor*, ggml_tensor*> accumulators_;  // parameter -> ggml-opt gradient accumulator
    int64_t steps_done_ = 0;
    int graph_nodes_ = -1;
    std::map<std::string, std::pair<ggml_tensor*, ggml_tensor*>> moment_tensors_;
    std::map<std::string, AdamWMoments> pending_moments_;
};

}  // namespace medvlm
