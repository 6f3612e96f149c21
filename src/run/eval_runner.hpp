#pragma once
// `medvlm eval`: every (example, mode, rotation) call of a run (or of one
// shard of it), scored, committed to the run store in RUN_DIR and written
// out as manifest.json, predictions.jsonl, summary.json and report.md.
//
// Rerunning the same command on the same RUN_DIR resumes: calls already
// answered are kept and only missing or failed calls run (see
// run/run_directory.hpp for the rules).

#include <filesystem>

#include <nlohmann/json.hpp>

#include "data/dataset.hpp"
#include "engine/engine.hpp"
#include "run/manifest.hpp"
#include "run/run_outputs.hpp"

namespace medvlm {

struct EvalOutcome {
    std::filesystem::path out_dir;  // differs from config.out_dir after --force-new
    nlohmann::json manifest;
    nlohmann::json summary;
    bool resumed = false;
    size_t calls_run = 0;  // by this session
    RunCompleteness completeness;
};

// Throws InputError before any call when the configuration cannot produce
// a meaningful run (a multimodal mode with zero-image rows, a mode that
// needs answer choices on a short-answer benchmark, too many rotations, a
// remote engine without the text-only calls that prove images arrived, a
// run directory holding another run). Calls committed before an exception
// stay in the store for the next session.
EvalOutcome run_eval(const EvalConfig& config, const Dataset& dataset, Engine& engine);

}  // namespace medvlm
