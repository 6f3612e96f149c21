#pragma once
// Choosing what `--out RUN_DIR` means for a run: a new run, the resumption
// of the same run, or a rejection that lists how the stored run differs.
//
//   RUN_DIR missing or empty            -> a new run in RUN_DIR
//   RUN_DIR has the same manifest       -> resume: only missing and failed
//                                          calls run again
//   RUN_DIR has another manifest, or    -> InputError listing the differing
//   is not a medvlm run directory          fields; with force_new, a new run
//                                          in RUN_DIR-2 (or -3, ...)
//
// Nothing in an existing directory is overwritten except the files a
// resumed run writes from its own store (manifest.json, predictions.jsonl,
// summary.json, report.md).

#include <filesystem>

#include <nlohmann/json.hpp>

#include "run/run_store.hpp"
#include "run/shard.hpp"

namespace medvlm {

struct OpenedRun {
    std::filesystem::path dir;
    RunStore store;
    nlohmann::json manifest;  // as stored: a resumed run keeps its first creation time
    bool resumed = false;
};

[[nodiscard]] OpenedRun open_run_directory(const std::filesystem::path& out_dir, const nlohmann::json& manifest,
                                           const ShardSpec& shard, bool force_new);

// Creates a new, empty run directory: `requested` when it is missing or
// empty, else (only when `pick_sibling` is set) the first free RUN_DIR-N.
// Throws InputError when `requested` is in use and pick_sibling is unset.
[[nodiscard]] std::filesystem::path create_run_directory(const std::filesystem::path& requested, bool pick_sibling);

}  // namespace medvlm
