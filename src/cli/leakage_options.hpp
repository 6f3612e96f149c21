#pragma once
// Command-line options shared by `medvlm leakage` and `medvlm curriculum`:
// the SPEC lists and the settings of the leakage checks.

#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "leakage/leakage_checks.hpp"
#include "sources/source_spec.hpp"

namespace medvlm::cli {

struct LeakageFlags {
    int phash_max_distance = kDefaultPhashMaxDistance;
    double question_jaccard = kDefaultQuestionJaccard;
    int shingle_words = kDefaultShingleWords;
    unsigned threads = 0;  // 0: one per hardware thread
    bool skip_invalid = false;
    int64_t max_image_pixels = ImageLimits{}.max_pixels;
    int64_t max_image_bytes = ImageLimits{}.max_file_bytes;
};

void add_leakage_flags(CLI::App* command, LeakageFlags& flags);

[[nodiscard]] LeakageSettings to_leakage_settings(const LeakageFlags& flags);

// Throws InputError naming the SPEC that does not parse.
[[nodiscard]] std::vector<SourceSpec> parse_source_specs(const std::vector<std::string>& texts);

}  // namespace medvlm::cli
