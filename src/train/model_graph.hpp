#pragma once
// The ggml compute graph of an idefics3 (SmolVLM) vision tower, its
// pixel-shuffle projector and a llama decoder, with LoRA pairs added to the
// adapted projections. It reproduces what libmtmd (tools/mtmd/models/
// siglip.cpp, clip.cpp) and libllama (src/models/llama.cpp) compute at the
// pinned commit, op for op where no gradient flows.
//
// Variant A adapts the decoder, B also the projector, C also the last K
// vision blocks. Everything before the first adapted vision layer is frozen;
// the trainer computes it once per image tile and caches it (the "cut").

#include <cstdint>
#include <string>
#include <vector>

#include "train/backward_weights.hpp"
#include "train/graph_ops.hpp"
#include "train/lora.hpp"
#include "train/model_config.hpp"
#include "train/weight_file.hpp"

struct ggml_context;
struct ggml_tensor;

namespace medvlm {

enum class Variant { A, B, C };

// Throws InputError for anything but A, B or C.
[[nodiscard]] Variant parse_variant(const std::string& name);
[[nodiscard]] std::string variant_name(Variant variant);

// The end of the frozen part of the vision path, which the vision cache
// stores: the projector's output (the image embeddings) for A, the tower's
// output for B, the input of the first adapted block for C.
enum class VisionCut { ProjectorOutput, TowerOutput, BlockInput };

struct GraphSettings {
    Variant variant = Variant::A;
    int late_vision_blocks = 0;  // C only: how many final vision blocks carry LoRA
    // C only: maximum bytes of attention scores per chunk of heads in a
    // trained vision block, with at least one head per chunk. See
    // vision_attention in model_graph.cpp for what chunking saves.
    int64_t attention_chunk_bytes = int64_t{16} << 20;
};

// Shape of one sample's graph.
struct SampleShape {
    int64_t tokens = 0;  // positions fed to the decoder
    int64_t answer = 0;  // answer tokens, one logits row each
    int64_t tiles = 1;   // image tiles; a sample without images gets one tile that no position reads
};

struct SampleGraph {
    // Inputs, filled after allocation (see SampleInputs).
    ggml_tensor* token_ids = nullptr;       // I32 [tokens]; 0 at image positions
    ggml_tensor* positions = nullptr;       // I32 [tokens]
    ggml_tensor* text_mask = nullptr;       // F32 [1, tokens]: 1 at text positions
    ggml_tensor* image_mask = nullptr;      // F32 [1, tokens]: 1 at image positions
    ggml_tensor* image_rows = nullptr;      // I32 [tokens]: row of tile_embeddings for image positions
    ggml_tensor* attention_mask = nullptr;  // F32 [tokens, tokens]: 0 or -inf (causal)
    ggml_tensor* output_rows = nullptr;     // I32 [answer]: positions whose logits predict the answer
    ggml_tensor* vision_input = nullptr;    // F32 activations at the cut, tile after tile
    // Outputs.
    ggml_tensor* tile_embeddings = nullptr;  // F32 [n_embd, tiles * tokens_per_tile]
    ggml_tensor* logits = nullptr;           // F32 [n_vocab, answer]
};

class ModelGraph {
public:
    // The weight files must have loaded the tensors the graphs use: all of
    // the language model, and of the projector what frozen_vision_tensor()
    // or trainable_vision_tensor() accepts for the graphs built. `backward`
    // contains F32 copies of the quantized matrices gradients pass through.
    ModelGraph(const ModelConfig& config, const WeightFile& model, const WeightFile& mmproj, const LoraParameters& lora,
               const BackwardWeights& backward, GraphSettings settings);

    [[nodiscard]] VisionCut cut() const;
    // Rows and row width of the cut activations of one tile.
    [[nodiscard]] int64_t cut_rows_per_tile() const;
    [[nodiscard]] int64_t cut_width() const;
    [[nodiscard]] int64_t cut_values_per_tile() const { return cut_rows_per_tile() * cut_width(); }

    // Projector tensors the frozen part reads, and those the trained part
    // reads.
    [[nodiscard]] bool frozen_vision_tensor(const std::string& name) const;
    [[nodiscard]] bool trainable_vision_tensor(const std::string& name) const;
    // Matrices a gradient passes through (those with a LoRA pair or after
    // one), which get F32 backward copies when stored quantized.
    [[nodiscard]] std::vector<std::string> backward_matrices() const;

    // pixels: F32 [tile, tile, 3, tiles] -> F32 [cut_width, cut_rows_per_tile * tiles].
    [[nodiscard]] ggml_tensor* build_frozen_vision(ggml_context* ctx, ggml_tensor* pixels) const;

    [[nodiscard]] SampleGraph build_sample(ggml_context* ctx, const SampleShape& shape) const;

private:
    [[nodiscard]] int first_adapted_block() const;
    // `depends` is null for frozen graphs (no gradient anywhere).
    [[nodiscard]] ggml_tensor* vision_block(ggml_context* ctx, ggml_tensor* x, int layer, int64_t tiles,
                                            ParameterDependence* depends) const;
    [[nodiscard]] ggml_tensor* post_norm(ggml_context* ctx, ggml_tensor* x, bool trainable) const;
    [[nodiscard]] ggml_tensor* projector(ggml_context* ctx, ggml_tensor* x, int64_t tiles,
                                         ParameterDependence* depends) const;
    [[nodiscard]] ggml_tensor* decoder(ggml_context* ctx, const SampleGraph& graph, ggml_tensor* embeddings,
                                       ParameterDependence& depends) const;
    [[nodiscard]] ggml_tensor* linear(ggml_context* ctx, const WeightFile& file, const std::string& name,
                                      ggml_tensor* x, ParameterDependence* depends) const;
    [[nodiscard]] const LoraPair* adapter(const std::string& weight) const;

    const ModelConfig& config_;
    const WeightFile& model_;
    const WeightFile& mmproj_;
    const LoraParameters& lora_;
    const BackwardWeights& backward_;
    GraphSettings settings_;
};

}  // namespace medvlm
