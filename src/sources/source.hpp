#pragma once
// A loaded SPEC: the records of one file with their images resolved inside
// the image root, whatever benchmark layout the file has.

#include <cstdint>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "data/example.hpp"
#include "data/image.hpp"
#include "data/loaders.hpp"
#include "sources/source_spec.hpp"

namespace medvlm {

struct SourceImage {
    std::string name;                // as written in the record
    std::filesystem::path path;      // resolved inside the image root; empty when unusable
    std::string problem;             // why the image cannot be used; empty when usable
    int64_t fingerprint = -1;        // index into the image table, set by fingerprinting
};

struct SourceRecord {
    std::string id;
    std::string question;
    // Multiple choice only, in the order of the record (A, B, C, ...).
    std::vector<Choice> choices;
    // An option letter for multiple choice, text otherwise.
    std::string answer;
    std::vector<SourceImage> images;
    // Record metadata (q_lang, modality, location, image_organ,
    // question_type, caption, ...). A field the record lacks is absent.
    std::map<std::string, std::string> fields;
    // "FILE: record #N, record id=ID" or "FILE: line N, record id=ID".
    std::string location;

    [[nodiscard]] bool images_usable() const;
    // The text of the correct option for multiple choice, else the answer.
    [[nodiscard]] std::string answer_text() const;
};

struct Source {
    SourceSpec spec;
    std::string label;  // the report label: spec.name or BENCHMARK:SPLIT[:LANG]
    std::string data_sha256;
    std::string split;
    std::string lang;   // "" when the benchmark has no language filter
    size_t records_in_file = 0;
    size_t rows_filtered_out = 0;  // valid records outside the split or language
    RepairCounts repairs;
    std::vector<SkippedRow> skipped;  // invalid records skipped with --skip-invalid
    std::vector<SourceRecord> records;
};

struct SourceLoadOptions {
    // Skip invalid records and keep records whose images are unusable
    // (marked, so image checks leave them out), instead of stopping.
    bool skip_invalid = false;
};

// Reads, validates and resolves one SPEC. Throws InputError naming the
// file, the record and the fix on invalid records, duplicate ids and
// images that cannot be found, unless skip_invalid is set.
[[nodiscard]] Source load_source(const SourceSpec& spec, const SourceLoadOptions& options);

// Loads every SPEC; labels must be unique across all of them.
[[nodiscard]] std::vector<Source> load_sources(const std::vector<SourceSpec>& specs,
                                               const SourceLoadOptions& options);

// Throws InputError when two sources share a label, naming both SPECs.
void require_unique_labels(const std::vector<const Source*>& sources);

}  // namespace medvlm
