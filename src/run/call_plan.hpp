#pragma once
// The calls of a run, in a fixed order: for each row, each mode, each
// rotation. The order (and so sharding and resuming) depends only on the
// data, the modes, the rotations and the seed.

#include <vector>

#include "data/dataset.hpp"
#include "engine/engine.hpp"
#include "prompts/prompt_builder.hpp"
#include "run/manifest.hpp"

namespace medvlm {

struct PlannedCall {
    const Example* example = nullptr;
    AblationMode mode = AblationMode::ImageText;
    int rotation = 0;
    BuiltPrompt prompt;
    const Example* image_source = nullptr;  // whose images are sent, or nullptr
    EngineRequest request;
};

// Pointers refer into dataset.examples, which must outlive the plan.
[[nodiscard]] std::vector<PlannedCall> plan_calls(const EvalConfig& config, const Dataset& dataset);

}  // namespace medvlm
