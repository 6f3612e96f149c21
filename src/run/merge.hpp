#pragma once
// `medvlm merge`: the run stores of several shards (or partial runs) of one
// manifest combined into a new run directory.
//
// Every input must hold the same manifest hash. A call stored in several
// inputs is kept once: an answered copy wins over a failed one, and two
// answered copies must agree in everything but their timings, else the
// merge is rejected with the disagreeing calls listed. Planned calls that
// no input holds are reported as gaps; the merged directory is an ordinary
// run, so `medvlm eval` with the same settings and `--out MERGED` runs
// exactly those calls.

#include <filesystem>
#include <vector>

#include <nlohmann/json.hpp>

#include "run/run_outputs.hpp"

namespace medvlm {

struct MergeOptions {
    std::vector<std::filesystem::path> inputs;  // run directories
    std::filesystem::path out_dir;              // must be missing or empty
    // Benchmark file and image directory on this machine, when they are not
    // at the manifest's paths. Their SHA-256 must match the manifest.
    std::filesystem::path data_file;
    std::filesystem::path image_root;
};

struct MergeOutcome {
    std::filesystem::path out_dir;
    nlohmann::json manifest;
    nlohmann::json summary;
    RunCompleteness completeness;
    size_t duplicates = 0;  // calls found in more than one input
};

// Throws InputError for differing manifests, disagreeing duplicates, data
// that does not match the manifest, or an output directory in use.
[[nodiscard]] MergeOutcome merge_runs(const MergeOptions& options);

}  // namespace medvlm
