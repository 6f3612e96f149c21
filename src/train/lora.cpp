#include "train/lora.hpp"

#include <ggml-alloc.h>
#include <ggml-backend.h>
#include <ggml-cpu.h>
#include <ggml.h>

#include <cmath>

#include "core/error.hpp"
#include "core/random.hpp"

namespace medvlm {

std::vector<LoraTarget> language_lora_targets(const ModelConfig& config) {
    const auto& lm = config.language;
    std::vector<LoraTarget> targets;
    for (int64_t layer = 0; layer < lm.n_layer; ++layer) {
        const std::string prefix = "blk." + std::to_string(layer) + ".";
        targets.push_back({prefix + "attn_q.weight", lm.n_embd, lm.n_embd});
        targets.push_back({prefix + "attn_k.weight", lm.n_embd, lm.kv_dim()});
        targets.push_back({prefix + "attn_v.weight", lm.n_embd, lm.kv_dim()});
        targets.push_back({prefix + "attn_output.weight", lm.n_embd, lm.n_embd});
        targets.push_back({prefix + "ffn_gate.weight", lm.n_embd, lm.n_ff});
        targets.push_back({prefix + "ffn_up.weight", lm.n_embd, lm.n_ff});
        targets.push_back({prefix + "ffn_down.weight", lm.n_ff, lm.n_embd});
    }
    return targets;
}

std::vector<LoraTarget> projector_lora_targets(const ModelConfig& config) {
    return {{"mm.model.fc.weight", config.vision.merged_dim(), config.language.n_embd}};
}

std::vector<LoraTarget> vision_lora_targets(const ModelConfig& config, int blocks) {
    const auto& v = config.vision;
    std::vector<LoraTarget> targets;
    for (int64_t layer = v.n_layer - blocks; layer < v.n_layer; ++layer) {
        const std::string prefix = "v.blk." + std::to_string(layer) + ".";
        for (const char* projection : {"attn_q", "attn_k", "attn_v", "attn_out"}) {
            targets.push_back({prefix + projection + ".weight", v.n_embd, v.n_embd});
        }
        targets.push_back({prefix + "ffn_up.weight", v.n_embd, v.n_ff});
        targets.push_back({prefix + "ffn_down.weight", v.n_ff, v.n_embd});
    }
    return targets;
}

LoraParameters::LoraParameters(std::vector<LoraTarget> targets, int rank, float alpha) : rank_(rank), alpha_(alpha) {
    if (rank <= 0) {
        throw InputError("--rank must be positive, got " + std::to_string(rank));
    }
    ggml_init_params params{(2 * targets.size() + 1) * ggml_tensor_overhead(), nullptr, true};
    context_ = ggml_init(params);
    if (context_ == nullptr) {
        throw Error("ggml failed to create the LoRA context");
    }
    for (auto& target : targets) {
        LoraPair pair;
        pair.a = ggml_new_tensor_2d(context_, GGML_TYPE_F32, target.in, rank);
        pair.b = ggml_new_tensor_2d(context_, GGML_TYPE_F32, rank, target.out);
        ggml_set_name(pair.a, (target.weight + ".lora_a").c_str());
        ggml_set_name(pair.b, (target.weight + ".lora_b").c_str());
        ggml_set_param(pair.a);
        ggml_set_param(pair.b);
        pair.target = std::move(target);
        pairs_.push_back(std::move(pair));
    }
    buffer_ = ggml_backend_alloc_ctx_tensors_from_buft(context_, ggml_backend_cpu_buffer_type());
    if (buffer_ == nullptr && !pairs_.empty()) {
        throw Error("cannot allocate memory for the LoRA parameters");
    }
}

LoraParameters::~LoraParameters() {
    if (buffer_ != nullptr) {
        ggml_backend_buffer_free(buffer_);
    }
    ggml_free(context_);
}

void LoraParameters::initialize(uint64_t seed) {
    SplitMix64 random(seed);
    for (auto& pair : pairs_) {
        const float bound = 1.0f / std::sqrt(static_cast<float>(pair.target.in));
        std::vector<float> a(static_cast<size_t>(ggml_nelements(pair.a)));
        for (auto& value : a) {
            value = random.uniform_signed() * bound;
        }
        set_values(pair.a, a);
        set_values(pair.b, std::vector<float>(static_cast<size_t>(ggml_nelements(pair.b)), 0.0f));
    }
}

const LoraPair* LoraParameters::find(const std::string& weight) const {
    for (const auto& pair : pairs_) {
        if (pair.target.weight == weight) {
            return &pair;
        }
    }
    return nullptr;
}

std::vector<ggml_tensor*> LoraParameters::tensors() const {
    std::vector<ggml_tensor*> all;
    for (const auto& pair : pairs_) {
        all.push_back(pair.a);
        all.push_back(pair.b);
    }
    return all;
}

int64_t LoraParameters::parameter_count() const {
    int64_t count = 0;
    for (const auto& pair : pairs_) {
        count += ggml_nelements(pair.a) + ggml_nelements(pair.b);
    }
    return count;
}

std::vector<float> LoraParameters::values(const ggml_tensor* tensor) {
    std::vector<float> values(static_cast<size_t>(ggml_nelements(tensor)));
    ggml_backend_tensor_get(tensor, values.data(), 0, ggml_nbytes(tensor));
    return values;
}

void LoraParameters::set_values(ggml_tensor* tensor, const std::vector<float>& values) {
    if (values.size() != static_cast<size_t>(ggml_nelements(tensor))) {
        throw Error(std::string("LoRA tensor ") + tensor->name + " expects " + std::to_string(ggml_nelements(tensor)) +
                    " values, got " + std::to_string(values.size()));
    }
    ggml_backend_tensor_set(tensor, values.data(), 0, ggml_nbytes(tensor));
}

}  // namespace medvlm
