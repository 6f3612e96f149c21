#include "train/lora_optimizer.hpp"

#include <ggml-backend.h>
#include <ggml-opt.h>
#include <ggml.h>

#include <cmath>

#include "core/error.hpp"

namespace medvlm {
namespace {

ggml_opt_optimizer_params optimizer_parameters(void* user_data) {
    const auto* settings = static_cast<const AdamWSettings*>(user_data);
    ggml_opt_optimizer_params params = ggml_opt_get_default_optimizer_params(nullptr);
    params.adamw.alpha = settings->learning_rate;
    params.adamw.beta1 = settings->beta1;
    params.adamw.beta2 = settings->beta2;
    params.adamw.eps = settings->epsilon;
    params.adamw.wd = settings->weight_decay;
    return params;
}

}  // namespace

struct LoraOptimizer::ContextHolder {
    ggml_context* context = nullptr;
    ~ContextHolder() {
        if (context != nullptr) {
            ggml_free(context);
        }
    }
};

LoraOptimizer::LoraOptimizer(TrainingSession& session, const AdamWSettings& settings, bool reset_gradient_accumulators)
    : session_(session), settings_(settings), reset_gradient_accumulators_(reset_gradient_accumulators) {
    if (!(settings.learning_rate > 0) || !std::isfinite(settings.learning_rate)) {
        throw InputError("--lr must be a positive number, got " + std::to_string(settings.learning_rate));
    }
    if (settings.weight_decay < 0 || settings.weight_decay > 1) {
        throw InputError("--weight-decay must be between 0 and 1, got " + std::to_string(settings.weight_decay));
    }
    ggml_backend_t backend = session.backend();
    scheduler_ = ggml_backend_sched_new(&backend, nullptr, 1, kMaxGraphNodes, false, false);
    if (scheduler_ == nullptr) {
        throw Error("ggml failed to create a backend scheduler");
    }
    ggml_backend_sched_set_eval_callback(scheduler_, &LoraOptimizer::observe_node, this);

    ggml_opt_params params = ggml_opt_default_params(scheduler_, GGML_OPT_LOSS_TYPE_CROSS_ENTROPY);
    params.build_type = GGML_OPT_BUILD_TYPE_OPT;
    params.opt_period = 1;
    params.get_opt_pars = optimizer_parameters;
    params.get_opt_pars_ud = &settings_;
    params.optimizer = GGML_OPT_OPTIMIZER_TYPE_ADAMW;
    optimizer_ = ggml_opt_init(params);
}

LoraOptimizer::~LoraOptimizer() {
    ggml_opt_free(optimizer_);
    graph_context_.reset();
    if (scheduler_ != nullptr) {
        ggml_backend_sched_free(scheduler_);
    }
}

bool LoraOptimizer::observe_node(ggml_tensor* node, bool ask, void* user_data) {
    // The scheduler asks about every node before computing any of them when
    // the answer is always false, so the moments can still be replaced here
    // before the AdamW step reads them.
    if (ask && node->op == GGML_OP_OPT_STEP_ADAMW) {
        static_cast<LoraOptimizer*>(user_data)->on_optimizer_node(node);
    }
    return false;
}

void LoraOptimizer::on_optimizer_node(ggml_tensor* node) {
    const std::string name = ggml_get_name(node->src[0]);
    ggml_tensor* first = node->src[2];
    ggml_tensor* second = node->src[3];
    moment_tensors_[name] = {first, second};

    const auto pending = pending_moments_.find(name);
    if (pending != pending_moments_.end()) {
        ggml_backend_tensor_set(first, pending->second.first.data(), 0, ggml_nbytes(first));
        ggml_backend_tensor_set(second, pending->second.second.data(), 0, ggml_nbytes(second));
        pending_moments_.erase(pending);
    }

    // ggml-opt counts steps from 1 in each process; the bias corrections
    // follow this run's own count so a resumed run continues exactly.
    ggml_tensor* params = node->src[4];
    const double step = static_cast<double>(steps_done_ + 1);
    const float corrections[2] = {
        static_cast<float>(1.0 / (1.0 - std::pow(static_cast<double>(settings_.beta1), step))),
        static_cast<float>(1.0 / (1.0 - std::pow(static_cast<double>(settings_.beta2), step))),
    };
    ggml_backend_tensor_set(params, corrections, 5 * sizeof(float), sizeof(corrections));
}

double LoraOptimizer::step(const TokenizedSample& sample) {
    auto holder = std::make_unique<ContextHolder>();
    const size_t bytes = kMaxGraphNodes * ggml_tensor_overhead() * 4 + 3 * ggml_graph_overhead_custom(kMaxGraphNodes, true);
    ggml_init_params context_params{bytes, nullptr, true};
    holder->context = ggml_init(context_params);
    if (holder->context == nullptr) {
        throw Error("ggml failed to create a graph context");
    }
    ggml_context* context = holder->context;

    const SampleGraph graph = session_.graph().build_sample(context, sample.shape());
    ggml_cgraph* forward = ggml_new_graph_custom(context, kMaxGraphNodes, true);
    const std::vector<ggml_tensor*> parameters = session_.lora().tensors();
    for (ggml_tensor* parameter : parameters) {
        ggml_build_forward_expand(forward, parameter);
    }
    ggml_build_forward_expand(forward, graph.logits);
    for (size_t i = 0; i < parameters.size(); ++i) {
        if (ggml_graph_node(forward, static_cast<int>(i)) != parameters[i]) {
            throw Error("internal error: LoRA parameter " + std::to_string(i) + " is not node " + std::to_string(i) +
                        " of the training graph");
        }
    }
    if (graph_nodes_ >= 0 && ggml_graph_n_nodes(forward) != graph_nodes_) {
        throw Error("internal error: the training graph has " + std::to_string(ggml_graph_n_nodes(forward)) +
                    " nodes for sample " + sample.id + " but " + std::to_string(graph_nodes_) +
                    " in the first step; ggml-opt would pair gradients with the wrong tensors");
    }
    graph_nodes_ = ggml_graph_n_nodes(forward);

    ggml_opt_prepare_alloc(optimizer_, context, forward, graph.token_ids, graph.logits);
    graph_context_ = std::move(holder);  // ggml-opt reads the graph until the next step
    ggml_opt_alloc(optimizer_, true);
    for (ggml_tensor* parameter : parameters) {
        // The accumulators are static tensors, but ggml-opt drops the graph
        // that maps parameters to them once the step is evaluated.
        ggml_tensor* accumulator = ggml_opt_grad_acc(optimizer_, parameter);
        accumulators_[parameter] = accumulator;
        if (reset_gradient_accumulators_) {
            ggml_backend_tensor_memset(accumulator, 0, 0, ggml_nbytes(accumulator));
        }
    }

    const std::vector<float> vision = session_.vision_values(sample);
    fill_sample_inputs(graph, sample, vision);
    const std::vector<float> labels = session_.one_hot_labels(sample);
    ggml_backend_tensor_set(ggml_opt_labels(optimizer_), labels.data(), 0, labels.size() * sizeof(float));

    ggml_opt_eval(optimizer_, nullptr);
    float loss = 0;
    ggml_backend_tensor_get(ggml_opt_loss(optimizer_), &loss, 0, sizeof(float));
    ++steps_done_;
    if (!pending_moments_.empty()) {
        throw Error("internal error: the checkpoint contains AdamW moments for " + pending_moments_.begin()->first +
                    ", which the training graph does not optimize");
    }
    return loss;
}

std::vector<float> LoraOptimizer::last_gradient(const ggml_tensor* parameter) const {
    const auto found = accumulators_.find(parameter);
    if (found == accumulators_.end()) {
        throw Error("no training step has run yet");
    }
    const ggml_tensor* accumulator = found->second;
    std::vector<float> values(static_cast<size_t>(ggml_nelements(accumulator)));
    ggml_backend_tensor_get(accumulator, values.data(), 0, ggml_nbytes(accumulator));
    return values;
}

std::map<std::string, AdamWMoments> LoraOptimizer::moments() const {
    std::map<std::string, AdamWMoments> result;
    for (const auto& [name, tensors] : moment_tensors_) {
        AdamWMoments moments;
        moments.first.resize(static_cast<size_t>(ggml_nelements(tensors.first)));
        moments.second.resize(static_cast<size_t>(ggml_nelements(tensors.second)));
        ggml_backend_tensor_get(tensors.first, moments.first.data(), 0, ggml_nbytes(tensors.first));
        ggml_backend_tensor_get(tensors.second, moments.second.data(), 0, ggml_nbytes(tensors.second));
        result[name] = std::move(moments);
    }
    return result;
}

void LoraOptimizer::restore(int64_t steps_done, std::map<std::string, AdamWMoments> moments) {
    if (steps_done_ != 0) {
        throw Error("restore() must come before the first step");
    }
    for (ggml_tensor* parameter : session_.lora().tensors()) {
        const auto found = moments.find(ggml_get_name(parameter));
        if (found == moments.end() ||
            found->second.first.size() != static_cast<size_t>(ggml_nelements(parameter)) ||
            found->second.second.size() != static_cast<size_t>(ggml_nelements(parameter))) {
            throw InputError(std::string("the checkpoint has no AdamW moments of the right size for ") +
                             ggml_get_name(parameter));
        }
    }
    steps_done_ = steps_done;
    pending_moments_ = std::move(moments);
}

}  // namespace medvlm
