#pragma once
// Command-line options shared by every command that loads a benchmark.

#include <string>

#include <CLI/CLI.hpp>

#include "data/dataset.hpp"

namespace medvlm::cli {

struct DatasetFlags {
    std::string benchmark;
    std::string data;
    std::string image_root;
    std::string split;
    std::string lang = "en";
    bool skip_invalid = false;
    size_t limit = 0;
    RecordLimits record_limits;
    ImageLimits image_limits;
};

void add_dataset_flags(CLI::App* command, DatasetFlags& flags);

// Throws InputError for an unknown benchmark name.
[[nodiscard]] DatasetOptions to_dataset_options(const DatasetFlags& flags);

}  // namespace medvlm::cli
