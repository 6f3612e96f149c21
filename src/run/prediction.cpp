#include "run/prediction.hpp"

#include "core/error.hpp"

namespace medvlm {

nlohmann::json Prediction::to_json() const {
    nlohmann::json value = {
        {"id", id},
        {"mode", mode_name(mode)},
        {"rotation", rotation},
        {"images_sent", images_sent},
        {"image_source_id", image_source_id},
        {"images_encoded", images_encoded},
        {"image_chunks", image_chunks},
        {"image_tokens", image_tokens},
        {"prompt_tokens", prompt_tokens},
        {"generated_tokens", generated_tokens},
        {"truncated", truncated},
        {"ok", ok},
        {"error", error},
        {"raw_output", raw_output},
        {"extracted", extracted},
        {"shown_letter", shown_letter},
        {"extraction_rule", extraction_rule},
        {"ambiguous", ambiguous},
        {"gold", gold},
        {"correct", correct},
        {"unknown", unknown},
        {"choice_logprobs", choice_logprobs},
        {"metrics", metrics},
        {"timings_ms",
         {{"image_encode", image_encode_ms},
          {"prompt_eval", prompt_eval_ms},
          {"generate", generate_ms},
          {"total", total_ms}}},
    };
    return value;
}

Prediction Prediction::from_json(const nlohmann::json& value) {
    try {
        Prediction p;
        p.id = value.at("id").get<std::string>();
        p.mode = parse_mode(value.at("mode").get<std::string>());
        p.rotation = value.at("rotation").get<int>();
        p.images_sent = value.at("images_sent").get<std::vector<std::string>>();
        p.image_source_id = value.at("image_source_id").get<std::string>();
        p.images_encoded = value.at("images_encoded").get<int>();
        p.image_chunks = value.at("image_chunks").get<int>();
        p.image_tokens = value.at("image_tokens").get<int64_t>();
        p.prompt_tokens = value.at("prompt_tokens").get<int64_t>();
        p.generated_tokens = value.at("generated_tokens").get<int64_t>();
        p.truncated = value.at("truncated").get<bool>();
        p.ok = value.at("ok").get<bool>();
        p.error = value.at("error").get<std::string>();
        p.raw_output = value.at("raw_output").get<std::string>();
        p.extracted = value.at("extracted").get<std::string>();
        p.shown_letter = value.at("shown_letter").get<std::string>();
        p.extraction_rule = value.at("extraction_rule").get<std::string>();
        p.ambiguous = value.at("ambiguous").get<bool>();
        p.gold = value.at("gold").get<std::string>();
        p.correct = value.at("correct").get<bool>();
        p.unknown = value.at("unknown").get<bool>();
        p.choice_logprobs = value.at("choice_logprobs").get<std::map<std::string, double>>();
        p.metrics = value.at("metrics");
        const auto& timings = value.at("timings_ms");
        p.image_encode_ms = timings.at("image_encode").get<double>();
        p.prompt_eval_ms = timings.at("prompt_eval").get<double>();
        p.generate_ms = timings.at("generate").get<double>();
        p.total_ms = timings.at("total").get<double>();
        return p;
    } catch (const nlohmann::json::exception& e) {
        throw InputError(std::string("invalid prediction record: ") + e.what());
    }
}

std::string prediction_key(const std::string& id, AblationMode mode, int rotation) {
    return id + "|" + mode_name(mode) + "|" + std::to_string(rotation);
}

std::string Prediction::key() const { return prediction_key(id, mode, rotation); }

}  // namespace medvlm
