#include "report/summary.hpp"

#include <map>

#include "report/image_proof.hpp"
#include "report/summary_multiple_choice.hpp"
#include "report/summary_short_answer.hpp"

namespace medvlm {
namespace {

// A multimodal mode whose calls encoded no image tokens did not test the
// images at all; such a run is marked invalid.
void check_images_reached_model(const std::string& mode, const std::vector<const Prediction*>& calls,
                                nlohmann::json& reasons) {
    int64_t answered = 0;
    int64_t without_images = 0;
    for (const Prediction* p : calls) {
        if (!p->ok) {
            continue;
        }
        ++answered;
        without_images += p->image_tokens == 0 ? 1 : 0;
    }
    if (answered > 0 && without_images == answered) {
        reasons.push_back(mode + ": none of the " + std::to_string(answered) +
                          " answered calls encoded any image tokens; the images never reached the model");
    } else if (without_images > 0) {
        reasons.push_back(mode + ": " + std::to_string(without_images) + " of " + std::to_string(answered) +
                          " answered calls encoded no image tokens");
    }
}

}  // namespace

nlohmann::json build_summary(const nlohmann::json& manifest, const Dataset& dataset,
                             const std::vector<Prediction>& predictions) {
    const bool multiple_choice = manifest.at("task") == "multiple-choice";
    nlohmann::json summary = multiple_choice ? summarize_multiple_choice(manifest, dataset, predictions)
                                             : summarize_short_answer(manifest, dataset, predictions);
    summary["telemetry"] = dataset.telemetry.to_json();
    summary["test_model"] = manifest.at("engine").value("test_model", false);

    std::map<std::string, std::vector<const Prediction*>> by_mode;
    for (const auto& prediction : predictions) {
        by_mode[mode_name(prediction.mode)].push_back(&prediction);
    }
    nlohmann::json invalid_reasons = nlohmann::json::array();
    for (const auto& mode_value : manifest.at("protocol").at("modes")) {
        const std::string mode = mode_value.get<std::string>();
        if (mode_sends_images(parse_mode(mode)) && engine_reports_image_tokens(manifest)) {
            check_images_reached_model(mode, by_mode[mode], invalid_reasons);
        }
    }
    summary["image_proof"] = prompt_token_image_proof(manifest, predictions, invalid_reasons);
    summary["valid"] = invalid_reasons.empty();
    summary["invalid_reasons"] = invalid_reasons;
    return summary;
}

}  // namespace medvlm
