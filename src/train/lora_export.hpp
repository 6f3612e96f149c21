#pragma once
// Exports a trained run for `medvlm eval`:
//   - the language-model pairs as a llama.cpp LoRA adapter GGUF
//     (general.type = adapter, adapter.type = lora, adapter.lora.alpha;
//     tensors <weight>.lora_a [in, r] and <weight>.lora_b [r, out]), which
//     llama_adapter_lora_init loads and applies with scale alpha / r;
//   - for the projector and vision pairs, a copy of the projector GGUF with
//     W + (alpha / r) B A merged into each adapted weight, because libmtmd
//     has no LoRA support. Merged weights are written as F32 so the merge
//     loses nothing to requantization; the others keep their stored type.

#include <filesystem>
#include <map>
#include <string>

#include "train/lora.hpp"
#include "train/weight_file.hpp"

namespace medvlm {

// String metadata written under medvlm.train.* in both files.
using Provenance = std::map<std::string, std::string>;

// Writes the pairs whose weight belongs to the language model (blk.*).
void write_lora_adapter(const std::filesystem::path& path, const LoraParameters& lora, const Provenance& provenance);

// Loads every projector tensor, writes the merged copy and releases them.
// Returns the number of merged weights.
size_t write_merged_mmproj(const std::filesystem::path& path, WeightFile& mmproj, const LoraParameters& lora,
                           const Provenance& provenance);

}  // namespace medvlm
