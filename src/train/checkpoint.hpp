#pragma once
// Training checkpoints: a GGUF file with every LoRA tensor, the AdamW
// moments of each, the optimizer step count, the completed epoch and the run
// description (hyper-parameters, data hashes and losses so far) as JSON.

#include <cstdint>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "train/lora.hpp"
#include "train/lora_optimizer.hpp"

namespace medvlm {

struct Checkpoint {
    int epoch = 0;  // epochs completed
    int64_t optimizer_steps = 0;
    nlohmann::json run;
    std::map<std::string, std::vector<float>> parameters;
    std::map<std::string, AdamWMoments> moments;
};

// Written to a temporary file and renamed, so a killed run never leaves a
// partial checkpoint.
void write_checkpoint(const std::filesystem::path& path, const LoraParameters& lora, const LoraOptimizer& optimizer,
                      int epoch, const nlohmann::json& run);

// Throws InputError when the file is not a medvlm checkpoint.
[[nodiscard]] Checkpoint read_checkpoint(const std::filesystem::path& path);

// Copies the checkpoint's values into `lora`. Throws InputError when a
// tensor is missing or has another size.
void restore_parameters(const Checkpoint& checkpoint, LoraParameters& lora);

}  // namespace medvlm
