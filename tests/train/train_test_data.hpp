#pragma once
// Helpers for the trainer's tests: stage files built from real benchmark
// records (the format `medvlm curriculum` writes, docs/training-format.md)
// and training sessions on the tiny random-weight model.

#include <filesystem>
#include <string>
#include <vector>

#include "data/benchmark.hpp"
#include "train/training_records.hpp"
#include "train/training_session.hpp"

namespace medvlm::testing {

struct StageSource {
    Benchmark benchmark = Benchmark::Slake;
    std::string data_file;   // relative to the shared data folder
    std::string image_root;  // relative to the shared data folder
    std::string split;
    size_t count = 4;
    bool distinct_images = true;      // skip records whose image an earlier record already used
    bool distinct_questions = false;  // skip records whose question an earlier record already asked
};

// Writes `count` English records of the source as a stage-2 file and returns
// its path.
std::filesystem::path write_stage_file(const std::filesystem::path& path, const StageSource& source);

[[nodiscard]] StageSource slake_train(size_t count);
[[nodiscard]] StageSource vqa_rad_train(size_t count);

// Session options for the tiny model (seed 1) with a cache under `dir`.
[[nodiscard]] SessionOptions tiny_session_options(Variant variant, const std::filesystem::path& dir, int rank = 4);

}  // namespace medvlm::testing
