#pragma once
// Everything a training run keeps in memory: the frozen weights, the LoRA
// parameters, the graph builder, the conversation tokenizer and the vision
// cache; and the forward and backward passes that run without the
// optimizer (validation loss, gradient checks, parity checks).

#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "data/image.hpp"
#include "engine/conversation_tokenizer.hpp"
#include "train/backward_weights.hpp"
#include "train/lora.hpp"
#include "train/model_config.hpp"
#include "train/model_graph.hpp"
#include "train/training_records.hpp"
#include "train/tokenized_sample.hpp"
#include "train/vision_cache.hpp"
#include "train/weight_file.hpp"

struct ggml_backend;
struct ggml_context;
struct ggml_cgraph;
struct ggml_gallocr;

namespace medvlm {

struct SessionOptions {
    std::filesystem::path model;
    std::filesystem::path mmproj;
    Variant variant = Variant::A;
    int late_vision_blocks = 0;
    int rank = 8;
    float alpha = 16.0f;
    uint64_t seed = 0;
    int threads = 0;  // 0: one per hardware thread
    std::string chat_template;
    std::filesystem::path cache_dir;
    ImageLimits image_limits;
    // Keep F32 copies of the language model's quantized matrices for the
    // backward pass (see backward_weights.hpp): faster steps for 4 bytes per
    // weight. The adapted vision blocks' copies are always kept.
    bool f32_backward_weights = true;
    // Variant C: maximum bytes of attention scores per chunk in the adapted
    // vision blocks (GraphSettings::attention_chunk_bytes).
    int64_t attention_chunk_bytes = GraphSettings{}.attention_chunk_bytes;
};

struct ForwardOutput {
    double loss = 0;
    std::vector<float> logits;           // answer rows x vocabulary, row-major
    std::vector<float> tile_embeddings;  // tiles x tokens_per_tile x n_embd, row-major
};

struct GradientOutput {
    double loss = 0;
    std::map<std::string, std::vector<float>> gradients;  // by LoRA tensor name
};

// Nodes a ggml context must have room for; the backward graph of the
// SmolVLM-256M shape with every vision block adapted stays well below.
constexpr size_t kMaxGraphNodes = 65536;

class TrainingSession {
public:
    // Loads and validates the model pair and creates the LoRA parameters
    // (initialized from `seed`). Throws InputError for unsupported models.
    explicit TrainingSession(const SessionOptions& options);
    ~TrainingSession();
    TrainingSession(const TrainingSession&) = delete;
    TrainingSession& operator=(const TrainingSession&) = delete;

    [[nodiscard]] const SessionOptions& options() const { return options_; }
    [[nodiscard]] const ModelConfig& config() const { return config_; }
    [[nodiscard]] LoraParameters& lora() { return *lora_; }
    [[nodiscard]] const ModelGraph& graph() const { return *graph_; }
    [[nodiscard]] WeightFile& model_file() { return model_; }
    [[nodiscard]] WeightFile& mmproj_file() { return mmproj_; }
    [[nodiscard]] const std::string& model_sha256() const { return model_sha256_; }
    [[nodiscard]] const std::string& mmproj_sha256() const { return mmproj_sha256_; }
    [[nodiscard]] const std::string& chat_template() const;
    [[nodiscard]] int threads() const { return threads_; }
    [[nodiscard]] ggml_backend* backend() const { return backend_; }

    // Tokenizes each record's conversation and lays it out for the graph.
    // Throws InputError naming the record when it cannot be used. The
    // tokenizer (libllama's vocabulary and libmtmd's projector) is loaded for
    // the call and freed after it.
    [[nodiscard]] std::vector<TokenizedSample> prepare_samples(const std::vector<TrainingRecord>& records);

    // Computes the frozen vision activations of every tile the samples use
    // that the cache lacks. `progress` receives (tiles done, tiles to do).
    void cache_vision(const std::vector<TokenizedSample>& samples,
                      const std::function<void(size_t, size_t)>& progress = nullptr);
    // The cached activations of the sample's tiles, in prompt order.
    [[nodiscard]] std::vector<float> vision_values(const TokenizedSample& sample) const;

    [[nodiscard]] ForwardOutput forward(const TokenizedSample& sample);
    [[nodiscard]] GradientOutput loss_and_gradients(const TokenizedSample& sample);

    // One-hot F32 [vocabulary, answer] labels of the sample.
    [[nodiscard]] std::vector<float> one_hot_labels(const TokenizedSample& sample) const;

    // Keeps only the projector tensors training reads (after an export
    // loaded all of them).
    void load_trainable_weights();

private:
    void compute(ggml_cgraph* graph, const std::function<void()>& fill);

    SessionOptions options_;
    WeightFile model_;
    WeightFile mmproj_;
    std::string model_sha256_;
    std::string mmproj_sha256_;
    ModelConfig config_;
    std::unique_ptr<LoraParameters> lora_;
    BackwardWeights backward_;
    std::unique_ptr<ModelGraph> graph_;
    std::string chat_template_;
    std::unique_ptr<VisionCache> cache_;
    int threads_ = 1;
    ggml_backend* backend_ = nullptr;
    ggml_gallocr* allocator_ = nullptr;
};

}  // namespace medvlm
