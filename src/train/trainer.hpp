#pragma once
// `medvlm train`: LoRA fine-tuning of a llama + idefics3 (SmolVLM) model
// pair on training stage files, one sample per AdamW step. Every epoch ends
// with a validation loss and a checkpoint, and a run can resume from a
// checkpoint. The outputs are files `medvlm eval` runs: OUT/adapter.gguf (a
// llama.cpp LoRA adapter) and, for variants B and C, OUT/mmproj-merged.gguf.
// OUT/train.json records the data hashes, hyper-parameters and losses. It is
// rewritten after every epoch, so a stopped run keeps what it computed.

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "data/image.hpp"
#include "train/model_graph.hpp"

namespace medvlm {

struct TrainOptions {
    std::filesystem::path model;
    std::filesystem::path mmproj;
    std::vector<std::filesystem::path> data;
    Variant variant = Variant::A;
    int rank = 8;
    float alpha = 16.0f;
    float learning_rate = 1e-4f;
    int epochs = 1;
    int late_vision_blocks = 0;  // C only; 0 picks kDefaultLateVisionBlocks
    float weight_decay = 0.0f;
    double validation_fraction = 0.1;
    uint64_t seed = 0;
    int threads = 0;  // 0: one per hardware thread
    std::filesystem::path out_dir;
    std::filesystem::path resume;     // a checkpoint to continue from
    std::filesystem::path cache_dir;  // empty: OUT/vision-cache
    std::string chat_template;
    ImageLimits image_limits;
    // F32 copies of the language model's quantized weights for the backward
    // pass (see backward_weights.hpp): slightly faster steps, 4 bytes more
    // memory per decoder weight.
    bool f32_backward_weights = false;
    std::vector<std::string> command_line;  // recorded in train.json
    double progress_interval_seconds = 10.0;
};

constexpr int kDefaultLateVisionBlocks = 2;

struct TrainOutcome {
    std::filesystem::path adapter;
    std::filesystem::path merged_mmproj;  // empty for variant A
    std::filesystem::path manifest;
    nlohmann::json manifest_json;
};

// Throws InputError for invalid options, data or models, naming the file, the
// record and the fix. Throws Error when training itself fails, for example on
// a non-finite loss; checkpoints written before stay in place.
TrainOutcome run_training(const TrainOptions& options);

}  // namespace medvlm
