#include "train/backward_weights.hpp"

#include <ggml-alloc.h>
#include <ggml-backend.h>
#include <ggml-cpu.h>
#include <ggml.h>

#include "core/error.hpp"

namespace medvlm {

BackwardWeights::~BackwardWeights() { release(); }

void BackwardWeights::release() {
    copies_.clear();
    if (buffer_ != nullptr) {
        ggml_backend_buffer_free(buffer_);
        buffer_ = nullptr;
    }
    if (context_ != nullptr) {
        ggml_free(context_);
        context_ = nullptr;
    }
}

void BackwardWeights::build(const std::vector<const ggml_tensor*>& weights) {
    release();
    std::vector<const ggml_tensor*> quantized;
    for (const ggml_tensor* weight : weights) {
        if (weight->type != GGML_TYPE_F32) {
            quantized.push_back(weight);
        }
    }
    if (quantized.empty()) {
        return;
    }
    ggml_init_params params{(quantized.size() + 1) * ggml_tensor_overhead(), nullptr, true};
    context_ = ggml_init(params);
    if (context_ == nullptr) {
        throw Error("ggml failed to create a context for the backward weights");
    }
    for (const ggml_tensor* weight : quantized) {
        ggml_tensor* copy = ggml_new_tensor(context_, GGML_TYPE_F32, GGML_MAX_DIMS, weight->ne);
        ggml_set_name(copy, weight->name);
        copies_[weight->name] = copy;
    }
    buffer_ = ggml_backend_alloc_ctx_tensors_from_buft(context_, ggml_backend_cpu_buffer_type());
    if (buffer_ == nullptr) {
        throw Error("cannot allocate memory for the F32 backward weights");
    }
    for (const ggml_tensor* weight : quantized) {
        const auto* traits = ggml_get_type_traits(weight->type);
        if (traits->to_float == nullptr) {
            throw Error(std::string("cannot convert ") + weight->name + " from " + ggml_type_name(weight->type));
        }
        ggml_tensor* copy = copies_.at(weight->name);
        const int64_t row = weight->ne[0];
        for (int64_t r = 0; r < ggml_nrows(weight); ++r) {
            traits->to_float(static_cast<const char*>(weight->data) + r * weight->nb[1],
                             static_cast<float*>(copy->data) + r * row, row);
        }
    }
}

ggml_tensor* BackwardWeights::find(const std::string& name) const {
    const auto found = copies_.find(name);
    return found == copies_.end() ? nullptr : found->second;
}

size_t BackwardWeights::bytes() const { return buffer_ == nullptr ? 0 : ggml_backend_buffer_get_size(buffer_); }

}  // namespace medvlm
