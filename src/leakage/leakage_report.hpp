#pragma once
// leakage.json and leakage.md: totals per check and per eval split, the
// label reveals, and the pairs (train id, eval id, check, distance).

#include <filesystem>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "leakage/leakage_checks.hpp"

namespace medvlm {

struct LeakageReport {
    const std::vector<Source>& train;
    const std::vector<Source>& eval;
    const LeakageSettings& settings;
    const LeakageResult& result;
    // Pairs listed per check in leakage.json (0: all). Totals always count
    // every pair.
    size_t max_pairs_per_check = 0;
    // Pairs shown per check in leakage.md.
    size_t markdown_pairs_per_check = 20;
};

// What a SPEC loaded: label, benchmark, file and hash, split, language,
// record and image counts, skipped records and repairs.
[[nodiscard]] nlohmann::ordered_json source_summary_json(const Source& source);

// Everything in leakage.json except the pair list.
[[nodiscard]] nlohmann::ordered_json leakage_summary_json(const LeakageReport& report);

// Writes leakage.json with one pair per line, so files with many pairs
// stay readable and diffable.
void write_leakage_json(const std::filesystem::path& path, const LeakageReport& report);

[[nodiscard]] std::string leakage_markdown(const LeakageReport& report);

// Writes leakage.json and leakage.md into `directory`.
void write_leakage_report(const std::filesystem::path& directory, const LeakageReport& report);

}  // namespace medvlm
