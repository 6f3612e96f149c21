#include "train/model_graph.hpp"

#include <ggml.h>

#include <algorithm>
#include <cmath>

#include "core/error.hpp"
#include "train/graph_ops.hpp"

namespace medvlm {
namespace {

std::string block_prefix(int layer) { return "v.blk." + std::to_string(layer) + "."; }

// Computes the softmax attention of a vision block. q, k and value are
// contiguous [head_dim, heads, patches, tiles] tensors, and so is the result.
//
// A frozen block (`chunk_bytes` 0) attends over every head and tile in one
// op. In a trained block ggml keeps each softmax output for the backward
// pass and builds score gradients of the same size. At SmolVLM's 1,024
// patches a tile's scores take 4 MiB per head, so one op over 12 heads and
// 2 tiles needs 96 MiB per tensor. Chunks of heads within one tile let the
// allocator reuse the gradient buffers from chunk to chunk. ACC joins the
// chunks because CONCAT has no backward pass in ggml.
// NOTE: at SmolVLM-256M shapes chunking left the measured peak unchanged,
// because the kept softmax outputs are the same size either way.
ggml_tensor* vision_attention(ggml_context* ctx, ggml_tensor* q, ggml_tensor* k, ggml_tensor* value,
                              int64_t chunk_bytes) {
    const int64_t head_dim = q->ne[0];
    const int64_t heads = q->ne[1];
    const int64_t patches = q->ne[2];
    const int64_t tiles = q->ne[3];
    const float scale = 1.0f / std::sqrt(static_cast<float>(head_dim));
    value = ggml_cont(ctx, ggml_permute(ctx, value, 1, 2, 0, 3));  // [patches, head_dim, heads, tiles]
    const auto attend = [&](ggml_tensor* q_part, ggml_tensor* k_part, ggml_tensor* value_part) {
        q_part = ggml_permute(ctx, q_part, 0, 2, 1, 3);  // [head_dim, patches, heads, tiles]
        k_part = ggml_permute(ctx, k_part, 0, 2, 1, 3);
        ggml_tensor* scores = ggml_mul_mat(ctx, k_part, q_part);  // [patches (keys), patches (queries), heads, tiles]
        scores = ggml_soft_max_ext(ctx, scores, nullptr, scale, 0.0f);
        ggml_tensor* attended = ggml_mul_mat(ctx, value_part, scores);  // [head_dim, patches, heads, tiles]
        return ggml_permute(ctx, attended, 0, 2, 1, 3);                 // [head_dim, heads, patches, tiles]
    };
    if (chunk_bytes == 0) {
        return ggml_cont(ctx, attend(q, k, value));
    }

    const int64_t scores_per_head = patches * patches * static_cast<int64_t>(sizeof(float));
    const int64_t chunk_heads = std::clamp<int64_t>(chunk_bytes / scores_per_head, 1, heads);
    ggml_tensor* result = ggml_fill(ctx, ggml_new_tensor_4d(ctx, GGML_TYPE_F32, head_dim, heads, patches, tiles), 0.0f);
    for (int64_t tile = 0; tile < tiles; ++tile) {
        for (int64_t first = 0; first < heads; first += chunk_heads) {
            const int64_t count = std::min(chunk_heads, heads - first);
            // q, k and the result share one layout. value is permuted, so its
            // chunk is one contiguous block.
            const size_t offset = tile * q->nb[3] + first * q->nb[1];
            const auto part = [&](ggml_tensor* x) {
                return ggml_view_4d(ctx, x, head_dim, count, patches, 1, x->nb[1], x->nb[2], x->nb[3], offset);
            };
            ggml_tensor* value_part = ggml_view_4d(ctx, value, patches, head_dim, count, 1, value->nb[1], value->nb[2],
                                                   value->nb[3], tile * value->nb[3] + first * value->nb[2]);
            result = ggml_acc(ctx, result, attend(part(q), part(k), value_part), result->nb[1], result->nb[2],
                              result->nb[3], offset);
        }
    }
    return result;
}

}  // namespace

Variant parse_variant(const std::string& name) {
    if (name == "A") {
        return Variant::A;
    }
    if (name == "B") {
        return Variant::B;
    }
    if (name == "C") {
        return Variant::C;
    }
    throw InputError("unknown --variant '" + name +
                     "'; expected A (language LoRA), B (A plus projector) or C (B plus late vision blocks)");
}

std::string variant_name(Variant variant) {
    switch (variant) {
        case Variant::A: return "A";
        case Variant::B: return "B";
        case Variant::C: return "C";
    }
    return "?";
}

ModelGraph::ModelGraph(const ModelConfig& config, const WeightFile& model, const WeightFile& mmproj,
                       const LoraParameters& lora, const BackwardWeights& backward, GraphSettings settings)
    : config_(config), model_(model), mmproj_(mmproj), lora_(lora), backward_(backward), settings_(settings) {
    if (settings.variant == Variant::C &&
        (settings.late_vision_blocks < 1 || settings.late_vision_blocks > config.vision.n_layer)) {
        throw InputError("--late-vision-blocks must be between 1 and the vision tower's " +
                         std::to_string(config.vision.n_layer) + " blocks for variant C, got " +
                         std::to_string(settings.late_vision_blocks));
    }
    if (settings.attention_chunk_bytes < 1) {
        throw Error("invalid attention chunk size " + std::to_string(settings.attention_chunk_bytes) +
                    " bytes; it must be positive");
    }
}

VisionCut ModelGraph::cut() const {
    switch (settings_.variant) {
        case Variant::A: return VisionCut::ProjectorOutput;
        case Variant::B: return VisionCut::TowerOutput;
        case Variant::C: return VisionCut::BlockInput;
    }
    return VisionCut::ProjectorOutput;
}

int ModelGraph::first_adapted_block() const {
    if (settings_.variant != Variant::C) {
        return static_cast<int>(config_.vision.n_layer);
    }
    return static_cast<int>(config_.vision.n_layer) - settings_.late_vision_blocks;
}

int64_t ModelGraph::cut_rows_per_tile() const {
    return cut() == VisionCut::ProjectorOutput ? config_.vision.tokens_per_tile() : config_.vision.n_patches();
}

int64_t ModelGraph::cut_width() const {
    return cut() == VisionCut::ProjectorOutput ? config_.language.n_embd : config_.vision.n_embd;
}

bool ModelGraph::frozen_vision_tensor(const std::string& name) const {
    if (name.rfind("v.blk.", 0) == 0) {
        return std::stoi(name.substr(6)) < first_adapted_block();
    }
    if (name.rfind("v.post_ln.", 0) == 0) {
        return cut() != VisionCut::BlockInput;
    }
    if (name.rfind("mm.", 0) == 0) {
        return cut() == VisionCut::ProjectorOutput;
    }
    return true;  // patch and position embeddings
}

bool ModelGraph::trainable_vision_tensor(const std::string& name) const {
    if (settings_.variant == Variant::A) {
        return false;
    }
    if (name.rfind("v.blk.", 0) == 0) {
        return std::stoi(name.substr(6)) >= first_adapted_block();
    }
    if (name.rfind("v.post_ln.", 0) == 0) {
        return cut() == VisionCut::BlockInput;
    }
    return name.rfind("mm.", 0) == 0;
}

const LoraPair* ModelGraph::adapter(const std::string& weight) const { return lora_.find(weight); }

std::vector<std::string> ModelGraph::backward_matrices() const {
    std::vector<std::string> names;
    for (const auto& target : language_lora_targets(config_)) {
        names.push_back(target.weight);
    }
    if (settings_.variant == Variant::C) {
        for (const auto& target : vision_lora_targets(config_, settings_.late_vision_blocks)) {
            names.push_back(target.weight);
        }
        names.push_back("mm.model.fc.weight");
    }
    return names;
}

ggml_tensor* ModelGraph::linear(ggml_context* ctx, const WeightFile& file, const std::string& name, ggml_tensor* x,
                                ParameterDependence* depends) const {
    const FrozenMatrix matrix{file.tensor(name), backward_.find(name)};
    const bool needs_gradient = depends != nullptr && (*depends)(x);
    const LoraPair* pair = depends != nullptr ? adapter(name) : nullptr;
    return lora_matmul(ctx, matrix, x, needs_gradient, pair, lora_.scale());
}

ggml_tensor* ModelGraph::vision_block(ggml_context* ctx, ggml_tensor* x, int layer, int64_t tiles,
                                      ParameterDependence* depends) const {
    const bool trainable = depends != nullptr;
    const auto& v = config_.vision;
    const std::string prefix = block_prefix(layer);
    const auto weight = [&](const std::string& name) { return mmproj_.tensor(prefix + name); };
    const auto norm = [&](ggml_tensor* input, const std::string& name) {
        ggml_tensor* normalized = trainable ? layer_norm_differentiable(ctx, input, v.layer_norm_eps)
                                            : ggml_norm(ctx, input, v.layer_norm_eps);
        return ggml_add(ctx, ggml_mul(ctx, normalized, weight(name + ".weight")), weight(name + ".bias"));
    };
    const auto affine = [&](ggml_tensor* input, const std::string& name) {
        ggml_tensor* product = linear(ctx, mmproj_, prefix + name + ".weight", input, depends);
        return ggml_add(ctx, product, weight(name + ".bias"));
    };

    const int64_t head_dim = v.head_dim();
    const int64_t patches = v.n_patches();
    ggml_tensor* cur = norm(x, "ln1");
    ggml_tensor* q = ggml_reshape_4d(ctx, affine(cur, "attn_q"), head_dim, v.n_head, patches, tiles);
    ggml_tensor* k = ggml_reshape_4d(ctx, affine(cur, "attn_k"), head_dim, v.n_head, patches, tiles);
    ggml_tensor* value = ggml_reshape_4d(ctx, affine(cur, "attn_v"), head_dim, v.n_head, patches, tiles);
    ggml_tensor* attended = vision_attention(ctx, q, k, value, trainable ? settings_.attention_chunk_bytes : 0);
    attended = ggml_reshape_2d(ctx, attended, v.n_embd, patches * tiles);
    x = ggml_add(ctx, affine(attended, "attn_out"), x);

    cur = norm(x, "ln2");
    cur = affine(cur, "ffn_up");
    cur = trainable ? gelu_differentiable(ctx, cur) : ggml_gelu(ctx, cur);
    cur = affine(cur, "ffn_down");
    return ggml_add(ctx, x, cur);
}

ggml_tensor* ModelGraph::post_norm(ggml_context* ctx, ggml_tensor* x, bool trainable) const {
    const float eps = config_.vision.layer_norm_eps;
    ggml_tensor* normalized = trainable ? layer_norm_differentiable(ctx, x, eps) : ggml_norm(ctx, x, eps);
    return ggml_add(ctx, ggml_mul(ctx, normalized, mmproj_.tensor("v.post_ln.weight")), mmproj_.tensor("v.post_ln.bias"));
}

// Pixel shuffle (space to depth) of each tile, then the projector matrix:
// libmtmd's build_patch_merge_permute with a batch dimension added.
ggml_tensor* ModelGraph::projector(ggml_context* ctx, ggml_tensor* x, int64_t tiles,
                                   ParameterDependence* depends) const {
    const auto& v = config_.vision;
    const int64_t s = v.scale_factor;
    const int64_t side = v.patches_per_side();
    x = ggml_reshape_4d(ctx, x, v.n_embd * s, side / s, side, tiles);
    x = ggml_cont(ctx, ggml_permute(ctx, x, 0, 2, 1, 3));
    x = ggml_reshape_4d(ctx, x, v.n_embd * s * s, side / s, side / s, tiles);
    x = ggml_cont(ctx, ggml_permute(ctx, x, 0, 2, 1, 3));
    x = ggml_reshape_2d(ctx, x, v.merged_dim(), v.tokens_per_tile() * tiles);
    return linear(ctx, mmproj_, "mm.model.fc.weight", x, depends);
}

ggml_tensor* ModelGraph::build_frozen_vision(ggml_context* ctx, ggml_tensor* pixels) const {
    const auto& v = config_.vision;
    const int64_t tiles = pixels->ne[3];
    ggml_tensor* x = ggml_conv_2d(ctx, mmproj_.tensor("v.patch_embd.weight"), pixels, static_cast<int>(v.patch_size),
                                  static_cast<int>(v.patch_size), 0, 0, 1, 1);
    x = ggml_reshape_3d(ctx, x, v.n_patches(), v.n_embd, tiles);
    x = ggml_cont(ctx, ggml_transpose(ctx, x));  // [n_embd, patches, tiles]
    x = ggml_add(ctx, x, mmproj_.tensor("v.patch_embd.bias"));
    x = ggml_add(ctx, x, mmproj_.tensor("v.position_embd.weight"));
    x = ggml_reshape_2d(ctx, x, v.n_embd, v.n_patches() * tiles);

    for (int layer = 0; layer < first_adapted_block(); ++layer) {
        x = vision_block(ctx, x, layer, tiles, nullptr);
    }
    if (cut() == VisionCut::BlockInput) {
        return x;
    }
    x = post_norm(ctx, x, false);
    if (cut() == VisionCut::TowerOutput) {
        return x;
    }
    return projector(ctx, x, tiles, nullptr);
}

ggml_tensor* ModelGraph::decoder(ggml_context* ctx, const SampleGraph& graph, ggml_tensor* embeddings,
                                 ParameterDependence& depends) const {
    const auto& lm = config_.language;
    const int64_t tokens = graph.token_ids->ne[0];
    const auto project = [&](ggml_tensor* input, const std::string& name) {
        return linear(ctx, model_, name, input, &depends);
    };

    // Text positions take the token embedding, image positions the tile
    // embedding; multiplying by 1 and adding 0 keeps both exact.
    ggml_tensor* text = ggml_mul(ctx, ggml_get_rows(ctx, model_.tensor("token_embd.weight"), graph.token_ids),
                                 graph.text_mask);
    ggml_tensor* image = ggml_mul(ctx, ggml_get_rows(ctx, embeddings, graph.image_rows), graph.image_mask);
    ggml_tensor* x = ggml_add(ctx, text, image);

    const float attention_scale = 1.0f / std::sqrt(static_cast<float>(lm.head_dim));
    for (int64_t layer = 0; layer < lm.n_layer; ++layer) {
        const std::string prefix = "blk." + std::to_string(layer) + ".";
        ggml_tensor* residual = x;
        ggml_tensor* cur = ggml_mul(ctx, ggml_rms_norm(ctx, x, lm.rms_norm_eps), model_.tensor(prefix + "attn_norm.weight"));

        ggml_tensor* q = ggml_reshape_3d(ctx, project(cur, prefix + "attn_q.weight"), lm.head_dim, lm.n_head, tokens);
        ggml_tensor* k = ggml_reshape_3d(ctx, project(cur, prefix + "attn_k.weight"), lm.head_dim, lm.n_head_kv, tokens);
        ggml_tensor* value =
            ggml_reshape_3d(ctx, project(cur, prefix + "attn_v.weight"), lm.head_dim, lm.n_head_kv, tokens);
        // RoPE as llama.cpp sets it up for llama without scaling: normal
        // (non-NeoX) mode, no YaRN extrapolation, attention factor 1.
        const int n_rot = static_cast<int>(lm.head_dim);
        const int n_ctx = static_cast<int>(lm.n_ctx_train);
        q = ggml_rope_ext(ctx, q, graph.positions, nullptr, n_rot, 0, n_ctx, lm.rope_freq_base, 1.0f, 0.0f, 1.0f, 32.0f,
                          1.0f);
        k = ggml_rope_ext(ctx, k, graph.positions, nullptr, n_rot, 0, n_ctx, lm.rope_freq_base, 1.0f, 0.0f, 1.0f, 32.0f,
                          1.0f);

        q = ggml_permute(ctx, q, 0, 2, 1, 3);  // [head_dim, tokens, heads]
        k = ggml_permute(ctx, k, 0, 2, 1, 3);
        value = ggml_cont(ctx, ggml_permute(ctx, value, 1, 2, 0, 3));  // [tokens, head_dim, kv heads]
        ggml_tensor* scores = ggml_mul_mat(ctx, k, q);                  // [tokens (keys), tokens (queries), heads]
        scores = ggml_soft_max_ext(ctx, scores, graph.attention_mask, attention_scale, 0.0f);
        ggml_tensor* attended = ggml_mul_mat(ctx, value, scores);  // [head_dim, tokens, heads]
        attended = ggml_cont(ctx, ggml_permute(ctx, attended, 0, 2, 1, 3));
        attended = ggml_reshape_2d(ctx, attended, lm.n_embd, tokens);
        x = ggml_add(ctx, project(attended, prefix + "attn_output.weight"), residual);

        residual = x;
        cur = ggml_mul(ctx, ggml_rms_norm(ctx, x, lm.rms_norm_eps), model_.tensor(prefix + "ffn_norm.weight"));
        ggml_tensor* gate = project(cur, prefix + "ffn_gate.weight");
        ggml_tensor* up = project(cur, prefix + "ffn_up.weight");
        cur = project(ggml_swiglu_split(ctx, gate, up), prefix + "ffn_down.weight");
        x = ggml_add(ctx, cur, residual);
    }

    x = ggml_get_rows(ctx, x, graph.output_rows);
    x = ggml_mul(ctx, ggml_rms_norm(ctx, x, lm.rms_norm_eps), model_.tensor("output_norm.weight"));
    ggml_tensor* output = lm.tied_output ? model_.tensor("token_embd.weight") : model_.tensor("output.weight");
    return ggml_mul_mat(ctx, output, x);
}

SampleGraph ModelGraph::build_sample(ggml_context* ctx, const SampleShape& shape) const {
    const auto& v = config_.vision;
    const auto input = [&](ggml_tensor* tensor, const char* name) {
        ggml_set_name(tensor, name);
        ggml_set_input(tensor);
        return tensor;
    };

    SampleGraph graph;
    graph.token_ids = input(ggml_new_tensor_1d(ctx, GGML_TYPE_I32, shape.tokens), "token_ids");
    graph.positions = input(ggml_new_tensor_1d(ctx, GGML_TYPE_I32, shape.tokens), "positions");
    graph.text_mask = input(ggml_new_tensor_2d(ctx, GGML_TYPE_F32, 1, shape.tokens), "text_mask");
    graph.image_mask = input(ggml_new_tensor_2d(ctx, GGML_TYPE_F32, 1, shape.tokens), "image_mask");
    graph.image_rows = input(ggml_new_tensor_1d(ctx, GGML_TYPE_I32, shape.tokens), "image_rows");
    graph.attention_mask = input(ggml_new_tensor_2d(ctx, GGML_TYPE_F32, shape.tokens, shape.tokens), "attention_mask");
    graph.output_rows = input(ggml_new_tensor_1d(ctx, GGML_TYPE_I32, shape.answer), "output_rows");
    graph.vision_input = input(ggml_new_tensor_2d(ctx, GGML_TYPE_F32, cut_width(), cut_rows_per_tile() * shape.tiles),
                               "vision_input");

    ParameterDependence depends;
    ggml_tensor* embeddings = graph.vision_input;
    if (cut() != VisionCut::ProjectorOutput) {
        ggml_tensor* x = graph.vision_input;
        if (cut() == VisionCut::BlockInput) {
            for (int layer = first_adapted_block(); layer < v.n_layer; ++layer) {
                x = vision_block(ctx, x, layer, shape.tiles, &depends);
            }
            x = post_norm(ctx, x, true);
        }
        embeddings = projector(ctx, x, shape.tiles, &depends);
    }
    graph.tile_embeddings = embeddings;
    ggml_set_name(embeddings, "tile_embeddings");
    graph.logits = decoder(ctx, graph, embeddings, depends);
    ggml_set_name(graph.logits, "logits");
    return graph;
}

}  // namespace medvlm
