#pragma once
// examples.jsonl: what the statistics need to know about each evaluated
// example besides its predictions: its question language, its slice values
// and its image cluster. A run directory carries this file so `medvlm
// compare` and `medvlm report` work without the benchmark files.
//
// An image cluster is a set of examples connected through shared images:
// two examples are in one cluster when they name the same image file or
// images with the same SHA-256, directly or through other examples.
// Examples without images are clusters of their own.

#include <map>
#include <string>
#include <vector>

#include "data/dataset.hpp"

namespace medvlm {

inline constexpr const char* kExampleIndexFile = "examples.jsonl";

struct ExampleInfo {
    std::string id;
    std::string language;  // question_language(): SLAKE's q_lang, else "en"
    std::string cluster;   // label of the image cluster
    std::map<std::string, std::vector<std::string>> slices;  // slice definition -> values
    std::vector<std::string> image_sha256;  // content hash of each image, in record order
};

class ExampleIndex {
public:
    ExampleIndex() = default;
    // Throws InputError when an id appears twice.
    ExampleIndex(std::vector<ExampleInfo> examples, std::vector<std::string> slice_names);

    [[nodiscard]] const std::vector<ExampleInfo>& examples() const { return examples_; }
    // Slice definitions in report order.
    [[nodiscard]] const std::vector<std::string>& slice_names() const { return slice_names_; }
    // nullptr when the id is not indexed.
    [[nodiscard]] const ExampleInfo* find(const std::string& id) const;
    [[nodiscard]] size_t cluster_count() const;

    // A first line {"slice_names": [...]}, then one line per example:
    // {"id", "language", "cluster", "slices", "image_sha256"}.
    [[nodiscard]] std::string to_jsonl() const;
    // Throws InputError naming the file and line when a line is invalid.
    [[nodiscard]] static ExampleIndex from_jsonl(const std::string& text, const std::string& file_name);

private:
    std::vector<ExampleInfo> examples_;
    std::vector<std::string> slice_names_;
    std::map<std::string, size_t> positions_;
};

// The index of a loaded dataset, with the slice definitions the summary of
// `benchmark` reports.
[[nodiscard]] ExampleIndex build_example_index(const Dataset& dataset, Benchmark benchmark);

}  // namespace medvlm
