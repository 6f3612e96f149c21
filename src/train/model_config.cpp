#include "train/model_config.hpp"

#include <ggml.h>

#include <map>
#include <set>
#include <vector>

#include "core/error.hpp"

namespace medvlm {
namespace {

struct ExpectedTensor {
    std::vector<int64_t> shape;
    bool matrix = false;  // may be F32, F16 or Q8_0; other tensors must be F32 (F16 allowed for the patch kernel)
    bool optional = false;
};

std::string shape_text(const std::vector<int64_t>& shape) {
    std::string text = "[";
    for (size_t i = 0; i < shape.size(); ++i) {
        text += (i > 0 ? ", " : "") + std::to_string(shape[i]);
    }
    return text + "]";
}

void check_tensors(const WeightFile& file, const std::map<std::string, ExpectedTensor>& expected) {
    for (const auto& name : file.tensor_names()) {
        if (expected.find(name) == expected.end()) {
            throw InputError(file.path().string() + ": tensor '" + name +
                             "' is not part of the graph medvlm trains (an unsupported model variant). " +
                             supported_architectures());
        }
    }
    for (const auto& [name, spec] : expected) {
        const ggml_tensor* info = file.tensor_info(name);
        if (info == nullptr) {
            if (spec.optional) {
                continue;
            }
            throw InputError(file.path().string() + ": required tensor '" + name + "' is missing. " +
                             supported_architectures());
        }
        std::vector<int64_t> shape;
        for (int i = 0; i < GGML_MAX_DIMS; ++i) {
            shape.push_back(info->ne[i]);
        }
        std::vector<int64_t> wanted = spec.shape;
        wanted.resize(GGML_MAX_DIMS, 1);
        if (shape != wanted) {
            shape.resize(spec.shape.size());
            throw InputError(file.path().string() + ": tensor '" + name + "' has shape " + shape_text(shape) +
                             ", expected " + shape_text(spec.shape) + " from the file's hyper-parameters");
        }
        const ggml_type type = info->type;
        const bool allowed = spec.matrix ? (type == GGML_TYPE_F32 || type == GGML_TYPE_F16 || type == GGML_TYPE_Q8_0)
                                         : (type == GGML_TYPE_F32 || (name == "v.patch_embd.weight" && type == GGML_TYPE_F16));
        if (!allowed) {
            throw InputError(file.path().string() + ": tensor '" + name + "' is stored as " + ggml_type_name(type) +
                             "; medvlm's trainer supports F32, F16 and Q8_0 weights (F32 for norms and biases). "
                             "Convert the model with one of those types");
        }
    }
}

int64_t positive(const WeightFile& file, const std::string& key) {
    const uint32_t value = file.u32_value(key);
    if (value == 0) {
        throw InputError(file.path().string() + ": key '" + key + "' is 0");
    }
    return value;
}

LanguageModelConfig read_language_model(const WeightFile& model) {
    const std::string arch = model.string_value("general.architecture");
    if (arch != "llama") {
        throw InputError(model.path().string() + ": the language model's architecture is '" + arch + "'. " +
                         supported_architectures());
    }
    if (model.has_key("llama.expert_count") && model.u32_value("llama.expert_count") > 0) {
        throw InputError(model.path().string() + ": mixture-of-experts llama models are not supported. " +
                         supported_architectures());
    }
    if (const auto scaling = model.optional_string("llama.rope.scaling.type"); scaling && *scaling != "none") {
        throw InputError(model.path().string() + ": RoPE scaling '" + *scaling + "' is not supported. " +
                         supported_architectures());
    }

    LanguageModelConfig config;
    config.n_embd = positive(model, "llama.embedding_length");
    config.n_layer = positive(model, "llama.block_count");
    config.n_head = positive(model, "llama.attention.head_count");
    config.n_head_kv = model.has_key("llama.attention.head_count_kv") ? positive(model, "llama.attention.head_count_kv")
                                                                       : config.n_head;
    config.n_ff = positive(model, "llama.feed_forward_length");
    config.n_ctx_train = positive(model, "llama.context_length");
    config.rms_norm_eps = model.f32_value("llama.attention.layer_norm_rms_epsilon");
    if (model.has_key("llama.rope.freq_base")) {
        config.rope_freq_base = model.f32_value("llama.rope.freq_base");
    }
    if (config.n_embd % config.n_head != 0 || config.n_head % config.n_head_kv != 0) {
        throw InputError(model.path().string() + ": embedding_length " + std::to_string(config.n_embd) +
                         ", head_count " + std::to_string(config.n_head) + " and head_count_kv " +
                         std::to_string(config.n_head_kv) + " do not divide evenly");
    }
    config.head_dim = config.n_embd / config.n_head;
    for (const char* key : {"llama.rope.dimension_count", "llama.attention.key_length", "llama.attention.value_length"}) {
        if (model.has_key(key) && model.u32_value(key) != config.head_dim) {
            throw InputError(model.path().string() + ": " + key + " differs from the head size " +
                             std::to_string(config.head_dim) + "; partial RoPE and unequal head sizes are not supported. " +
                             supported_architectures());
        }
    }

    const ggml_tensor* embeddings = model.tensor_info("token_embd.weight");
    if (embeddings == nullptr) {
        throw InputError(model.path().string() + ": required tensor 'token_embd.weight' is missing");
    }
    config.n_vocab = embeddings->ne[1];
    config.tied_output = model.tensor_info("output.weight") == nullptr;

    const int64_t d = config.n_embd;
    std::map<std::string, ExpectedTensor> expected = {
        {"token_embd.weight", {{d, config.n_vocab}, true}},
        {"output_norm.weight", {{d}}},
        {"output.weight", {{d, config.n_vocab}, true, true}},
    };
    for (int64_t layer = 0; layer < config.n_layer; ++layer) {
        const std::string prefix = "blk." + std::to_string(layer) + ".";
        expected[prefix + "attn_norm.weight"] = {{d}};
        expected[prefix + "attn_q.weight"] = {{d, d}, true};
        expected[prefix + "attn_k.weight"] = {{d, config.kv_dim()}, true};
        expected[prefix + "attn_v.weight"] = {{d, config.kv_dim()}, true};
        expected[prefix + "attn_output.weight"] = {{d, d}, true};
        expected[prefix + "ffn_norm.weight"] = {{d}};
        expected[prefix + "ffn_gate.weight"] = {{d, config.n_ff}, true};
        expected[prefix + "ffn_up.weight"] = {{d, config.n_ff}, true};
        expected[prefix + "ffn_down.weight"] = {{config.n_ff, d}, true};
    }
    check_tensors(model, expected);
    return config;
}

VisionConfig read_vision(const WeightFile& mmproj, const LanguageModelConfig& language) {
    const std::string arch = mmproj.string_value("general.architecture");
    if (arch != "clip") {
        throw InputError(mmproj.path().string() + ": the projector file's architecture is '" + arch +
                         "', not 'clip'. " + supported_architectures());
    }
    const std::string projector = mmproj.has_key("clip.vision.projector_type")
                                      ? mmproj.string_value("clip.vision.projector_type")
                                      : mmproj.string_value("clip.projector_type");
    if (projector != "idefics3") {
        throw InputError(mmproj.path().string() + ": the projector type is '" + projector + "'. " +
                         supported_architectures());
    }
    if (!mmproj.has_key("clip.has_vision_encoder") || !mmproj.bool_value("clip.has_vision_encoder")) {
        throw InputError(mmproj.path().string() + ": the projector has no vision encoder");
    }
    if (!mmproj.has_key("clip.use_gelu") || !mmproj.bool_value("clip.use_gelu")) {
        throw InputError(mmproj.path().string() + ": the vision tower does not use GELU (clip.use_gelu); only "
                         "SigLIP towers with tanh-approximated GELU are supported. " + supported_architectures());
    }
    for (const char* key : {"clip.vision.image_min_pixels", "clip.vision.image_max_pixels"}) {
        if (mmproj.has_key(key)) {
            throw InputError(mmproj.path().string() + ": key '" + key + "' selects an image resizing rule medvlm's "
                             "trainer does not reproduce. " + supported_architectures());
        }
    }

    VisionConfig config;
    config.image_size = positive(mmproj, "clip.vision.image_size");
    config.patch_size = positive(mmproj, "clip.vision.patch_size");
    config.n_embd = positive(mmproj, "clip.vision.embedding_length");
    config.n_ff = positive(mmproj, "clip.vision.feed_forward_length");
    config.n_layer = positive(mmproj, "clip.vision.block_count");
    config.n_head = positive(mmproj, "clip.vision.attention.head_count");
    config.scale_factor = positive(mmproj, "clip.vision.projector.scale_factor");
    config.layer_norm_eps = mmproj.f32_value("clip.vision.attention.layer_norm_epsilon");
    if (!mmproj.has_key("clip.vision.preproc_image_size")) {
        throw InputError(mmproj.path().string() + ": key 'clip.vision.preproc_image_size' is missing; without it "
                         "libmtmd resizes images by a rule medvlm's trainer does not reproduce. Re-convert the "
                         "projector with a current llama.cpp converter");
    }
    config.longest_edge = positive(mmproj, "clip.vision.preproc_image_size");
    const auto mean = mmproj.f32_array("clip.vision.image_mean");
    const auto std = mmproj.f32_array("clip.vision.image_std");
    if (mean.size() != 3 || std.size() != 3) {
        throw InputError(mmproj.path().string() + ": image_mean and image_std must hold 3 values each");
    }
    for (size_t c = 0; c < 3; ++c) {
        config.image_mean[c] = mean[c];
        config.image_std[c] = std[c];
    }

    const std::string path = mmproj.path().string();
    if (config.image_size % config.patch_size != 0 || config.n_embd % config.n_head != 0 ||
        config.patches_per_side() % config.scale_factor != 0) {
        throw InputError(path + ": image_size " + std::to_string(config.image_size) + ", patch_size " +
                         std::to_string(config.patch_size) + ", embedding_length " + std::to_string(config.n_embd) +
                         ", head_count " + std::to_string(config.n_head) + " and scale_factor " +
                         std::to_string(config.scale_factor) + " do not divide evenly");
    }
    if (mmproj.has_key("clip.vision.attention.head_count_kv") &&
        mmproj.u32_value("clip.vision.attention.head_count_kv") != config.n_head) {
        throw InputError(path + ": grouped-query attention in the vision tower is not supported");
    }
    if (mmproj.has_key("clip.vision.projection_dim") && mmproj.u32_value("clip.vision.projection_dim") != language.n_embd) {
        throw InputError(path + ": projection_dim differs from the language model's embedding_length " +
                         std::to_string(language.n_embd) + "; is this the projector that belongs to the model?");
    }

    const int64_t d = config.n_embd;
    const int64_t p = config.patch_size;
    std::map<std::string, ExpectedTensor> expected = {
        {"v.patch_embd.weight", {{p, p, 3, d}}},
        {"v.patch_embd.bias", {{d}}},
        {"v.position_embd.weight", {{d, config.n_patches()}}},
        {"v.post_ln.weight", {{d}}},
        {"v.post_ln.bias", {{d}}},
        {"mm.model.fc.weight", {{config.merged_dim(), language.n_embd}, true}},
    };
    for (int64_t layer = 0; layer < config.n_layer; ++layer) {
        const std::string prefix = "v.blk." + std::to_string(layer) + ".";
        for (const char* norm : {"ln1", "ln2"}) {
            expected[prefix + norm + ".weight"] = {{d}};
            expected[prefix + norm + ".bias"] = {{d}};
        }
        for (const char* projection : {"attn_q", "attn_k", "attn_v", "attn_out"}) {
            expected[prefix + projection + ".weight"] = {{d, d}, true};
            expected[prefix + projection + ".bias"] = {{d}};
        }
        expected[prefix + "ffn_up.weight"] = {{d, config.n_ff}, true};
        expected[prefix + "ffn_up.bias"] = {{config.n_ff}};
        expected[prefix + "ffn_down.weight"] = {{config.n_ff, d}, true};
        expected[prefix + "ffn_down.bias"] = {{d}};
    }
    check_tensors(mmproj, expected);
    return config;
}

}  // namespace

std::string supported_architectures() {
    return "medvlm's trainer supports a llama-architecture language model with an idefics3 (SmolVLM) projector, "
           "weights in F32, F16 or Q8_0";
}

ModelConfig read_model_config(const WeightFile& model, const WeightFile& mmproj) {
    ModelConfig config;
    config.language = read_language_model(model);
    config.vision = read_vision(mmproj, config.language);
    return config;
}

}  // namespace medvlm
