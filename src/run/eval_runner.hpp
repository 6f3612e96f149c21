#pragma once
// `medvlm eval`: every (example, mode, rotation) call of a run, scored and
// written to RUN_DIR as manifest.json, predictions.jsonl, summary.json and
// report.md.

#include <filesystem>

#include <nlohmann/json.hpp>

#include "data/dataset.hpp"
#include "engine/engine.hpp"
#include "run/manifest.hpp"

namespace medvlm {

struct EvalOutcome {
    std::filesystem::path out_dir;
    nlohmann::json manifest;
    nlohmann::json summary;
};

// Throws InputError before any call when the configuration cannot produce
// a meaningful run (a multimodal mode with zero-image rows, a mode that
// needs answer choices on a short-answer benchmark, too many rotations, an
// existing run directory).
EvalOutcome run_eval(const EvalConfig& config, const Dataset& dataset, Engine& engine);

}  // namespace medvlm
