#pragma once
// Strict readers for the published benchmark files. Each reads the file as
// released (no conversion step), validates every record against its
// schema and keeps only the requested split and language.

#include <string>
#include <string_view>
#include <vector>

#include "data/example.hpp"
#include "data/record_limits.hpp"
#include "data/record_reader.hpp"

namespace medvlm {

struct SkippedRow {
    std::string id;
    std::string source;
    std::string reason;
};

struct ParseOptions {
    std::string split;  // empty: the loader's default for the benchmark
    std::string lang = "en";
    // Skip (and list) records that fail validation instead of stopping.
    bool skip_invalid = false;
    RecordLimits limits;
};

struct ParsedRecords {
    std::vector<Example> examples;
    size_t records_read = 0;
    size_t rows_filtered_out = 0;  // valid records outside the split or language
    RepairCounts repairs;
    std::vector<SkippedRow> skipped;
    std::string split;  // the split actually selected
    std::string lang;   // the language actually selected ("" when the benchmark has none)
};

// MedXpertQA-MM: the Hugging Face export (JSONL; options {A..E}, label
// "A", images ["MM-0-a.jpeg"]) and the authors' eval-input layout (options
// [{letter, content}], label ["A"], images [{image_path}]).
[[nodiscard]] ParsedRecords parse_medxpertqa_mm(const std::string& file_label, std::string_view content,
                                                const ParseOptions& options);

// SLAKE 1.0 official train.json / test.json / validate.json. The language
// (q_lang) defaults to "en"; "zh" and "all" are the other choices.
[[nodiscard]] ParsedRecords parse_slake(const std::string& file_label, std::string_view content,
                                        const ParseOptions& options);

// VQA-RAD official "VQA_RAD Dataset Public.json" (or a subset of it). The
// split comes from phrase_type: test = test_freeform + test_para, train =
// freeform + para.
[[nodiscard]] ParsedRecords parse_vqa_rad(const std::string& file_label, std::string_view content,
                                          const ParseOptions& options);

}  // namespace medvlm
