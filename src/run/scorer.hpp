#pragma once
// Turns an engine result into a scored prediction.

#include "data/example.hpp"
#include "engine/engine.hpp"
#include "prompts/prompt_builder.hpp"
#include "run/prediction.hpp"
#include "scoring/normalize.hpp"

namespace medvlm {

struct CallContext {
    const Example* example = nullptr;
    AblationMode mode = AblationMode::ImageText;
    int rotation = 0;
    const BuiltPrompt* prompt = nullptr;
    const Example* image_source = nullptr;  // whose images were sent, or nullptr
    const EngineRequest* request = nullptr;
};

// Multiple choice: extracts the letter (or reads the best log-probability)
// and maps it back to the record's own option order. Short answer: scores
// every short-answer metric. A failed call is kept with ok=false and is
// neither correct nor unknown.
[[nodiscard]] Prediction score_call(const CallContext& call, const EngineResult& result,
                                    const NormalizeOptions& normalize);

}  // namespace medvlm
