#include "run/call_plan.hpp"

#include "prompts/shuffle.hpp"

namespace medvlm {

std::vector<PlannedCall> plan_calls(const EvalConfig& config, const Dataset& dataset) {
    const auto& examples = dataset.examples;
    std::vector<size_t> partners;
    for (const auto mode : config.modes) {
        if (mode == AblationMode::ShuffledImage) {
            partners = shuffled_image_partners(examples, config.seed);
        }
    }

    const bool prefill = config.scoring == Scoring::ChoiceLogprob;
    const int max_new_tokens = effective_max_new_tokens(config);
    std::vector<PlannedCall> plan;
    plan.reserve(examples.size() * config.modes.size() * static_cast<size_t>(config.rotations));
    for (size_t row = 0; row < examples.size(); ++row) {
        const Example& example = examples[row];
        for (const auto mode : config.modes) {
            for (int rotation = 0; rotation < config.rotations; ++rotation) {
                PlannedCall call;
                call.example = &example;
                call.mode = mode;
                call.rotation = rotation;
                call.prompt = build_prompt(example, mode, rotation, config.prompts, prefill);
                if (mode == AblationMode::ShuffledImage) {
                    call.image_source = &examples[partners[row]];
                } else if (mode_sends_images(mode)) {
                    call.image_source = &example;
                }

                EngineRequest& request = call.request;
                request.system = call.prompt.system;
                request.user_text = call.prompt.user_text;
                request.assistant_prefix = call.prompt.assistant_prefix;
                request.max_new_tokens = prefill ? 0 : max_new_tokens;
                request.scoring = config.scoring;
                request.choice_letters = call.prompt.letters;
                if (call.image_source != nullptr) {
                    for (const auto& image : call.image_source->images) {
                        request.images.push_back({image.path, image.sha256});
                    }
                }
                plan.push_back(std::move(call));
            }
        }
    }
    return plan;
}

}  // namespace medvlm
