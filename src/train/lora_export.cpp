#include "train/lora_export.hpp"

#include <ggml.h>
#include <gguf.h>

#include <cstring>

#include "core/error.hpp"
#include "train/gguf_writing.hpp"

namespace medvlm {
namespace {

bool is_language_weight(const std::string& weight) { return weight.rfind("blk.", 0) == 0; }

void add_provenance(gguf_context* gguf, const Provenance& provenance) {
    for (const auto& [key, value] : provenance) {
        gguf_set_val_str(gguf, ("medvlm.train." + key).c_str(), value.c_str());
    }
}

std::vector<float> to_f32(const ggml_tensor* tensor) {
    std::vector<float> values(static_cast<size_t>(ggml_nelements(tensor)));
    if (tensor->type == GGML_TYPE_F32) {
        std::memcpy(values.data(), tensor->data, ggml_nbytes(tensor));
        return values;
    }
    const auto* traits = ggml_get_type_traits(tensor->type);
    if (traits->to_float == nullptr) {
        throw Error(std::string("cannot convert tensor ") + tensor->name + " from " + ggml_type_name(tensor->type));
    }
    const int64_t row = tensor->ne[0];
    for (int64_t r = 0; r < ggml_nrows(tensor); ++r) {
        traits->to_float(static_cast<const char*>(tensor->data) + r * tensor->nb[1], values.data() + r * row, row);
    }
    return values;
}

// W [in, out] + scale * B [r, out] x A [in, r], in ggml's layout (row o of W
// contains the `in` weights of output o).
std::vector<float> merge(const ggml_tensor* weight, const LoraPair& pair, float scale) {
    std::vector<float> merged = to_f32(weight);
    const std::vector<float> a = LoraParameters::values(pair.a);
    const std::vector<float> b = LoraParameters::values(pair.b);
    const auto in = static_cast<size_t>(pair.target.in);
    const auto out = static_cast<size_t>(pair.target.out);
    const auto rank = static_cast<size_t>(pair.a->ne[1]);
    std::vector<double> row(in);
    for (size_t o = 0; o < out; ++o) {
        std::fill(row.begin(), row.end(), 0.0);
        for (size_t k = 0; k < rank; ++k) {
            const double coefficient = b[o * rank + k];
            const float* a_row = a.data() + k * in;
            for (size_t i = 0; i < in; ++i) {
                row[i] += coefficient * a_row[i];
            }
        }
        float* target = merged.data() + o * in;
        for (size_t i = 0; i < in; ++i) {
            target[i] += static_cast<float>(scale * row[i]);
        }
    }
    return merged;
}

}  // namespace

void write_lora_adapter(const std::filesystem::path& path, const LoraParameters& lora, const Provenance& provenance) {
    size_t bytes = 0;
    size_t count = 0;
    for (const auto& pair : lora.pairs()) {
        if (is_language_weight(pair.target.weight)) {
            bytes += ggml_nbytes(pair.a) + ggml_nbytes(pair.b) + 2 * GGML_MEM_ALIGN;
            count += 2;
        }
    }
    GgufBuilder builder(bytes, count);
    gguf_context* gguf = builder.gguf();
    gguf_set_val_str(gguf, "general.architecture", "llama");
    gguf_set_val_str(gguf, "general.type", "adapter");
    gguf_set_val_str(gguf, "general.name", "medvlm LoRA adapter");
    gguf_set_val_str(gguf, "adapter.type", "lora");
    gguf_set_val_f32(gguf, "adapter.lora.alpha", lora.alpha());
    add_provenance(gguf, provenance);
    for (const auto& pair : lora.pairs()) {
        if (!is_language_weight(pair.target.weight)) {
            continue;
        }
        builder.add_f32(ggml_get_name(pair.a), {pair.a->ne[0], pair.a->ne[1]}, LoraParameters::values(pair.a));
        builder.add_f32(ggml_get_name(pair.b), {pair.b->ne[0], pair.b->ne[1]}, LoraParameters::values(pair.b));
    }
    builder.write(path);
}

size_t write_merged_mmproj(const std::filesystem::path& path, WeightFile& mmproj, const LoraParameters& lora,
                           const Provenance& provenance) {
    mmproj.load([](const std::string&) { return true; });
    size_t merged_bytes = 0;
    size_t merged_count = 0;
    for (const auto& pair : lora.pairs()) {
        if (!is_language_weight(pair.target.weight)) {
            merged_bytes += static_cast<size_t>(pair.target.in * pair.target.out) * sizeof(float) + GGML_MEM_ALIGN;
            ++merged_count;
        }
    }
    GgufBuilder builder(merged_bytes, merged_count);
    gguf_context* gguf = builder.gguf();
    gguf_set_kv(gguf, mmproj.gguf());
    add_provenance(gguf, provenance);
    gguf_set_val_u32(gguf, "medvlm.train.merged_weights", static_cast<uint32_t>(merged_count));

    for (const auto& name : mmproj.tensor_names()) {
        const ggml_tensor* weight = mmproj.tensor(name);
        const LoraPair* pair = lora.find(name);
        if (pair == nullptr) {
            builder.add_existing(weight);
            continue;
        }
        builder.add_f32(name, {weight->ne[0], weight->ne[1]}, merge(weight, *pair, lora.scale()));
    }
    builder.write(path);
    return merged_count;
}

}  // namespace medvlm
