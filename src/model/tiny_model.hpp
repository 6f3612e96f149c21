#pragma once
// Writes random-weight vision-language models that real llama.cpp loads: a
// llama-architecture language model (model.gguf) and an idefics3 (SmolVLM)
// projector (mmproj.gguf). Tests, the demo and the benchmarks use them; the
// GGUF keys follow llama.cpp's src/llama-arch.cpp and tools/mtmd/clip-impl.h.
//
// The vocabulary holds the 256 byte-level pieces (so any input text can be
// tokenized), the special tokens libmtmd looks up for idefics3, and the
// option letters with and without a leading space. Generation is kept to
// valid text by construction: embedding dimension 0 is a constant that no
// layer writes to, and the output rows of every token that is not printable
// ASCII, a newline or the end-of-turn token weigh that dimension strongly
// negative, so greedy decoding never picks them.

#include <cstdint>
#include <filesystem>
#include <string>

namespace medvlm {

enum class TinyModelShape {
    Tiny,         // a few hundred kilobytes; for tests and the demo
    SmolVlm256M,  // SmolVLM-256M sizes, for benchmarks
};

enum class TinyWeightType { F32, F16, Q8_0 };

struct TinyModelOptions {
    std::filesystem::path out_dir;
    uint64_t seed = 0;
    TinyModelShape shape = TinyModelShape::Tiny;
    TinyWeightType weight_type = TinyWeightType::F32;
};

struct TinyModelFiles {
    std::filesystem::path model;
    std::filesystem::path mmproj;
};

// Output is byte-identical for the same options on every platform (the
// random numbers come from SplitMix64, not from <random> distributions).
TinyModelFiles write_tiny_model(const TinyModelOptions& options);

[[nodiscard]] TinyModelShape parse_tiny_model_shape(const std::string& name);
[[nodiscard]] TinyWeightType parse_tiny_weight_type(const std::string& name);

}  // namespace medvlm
