#pragma once
// One model call and its score: the unit written to predictions.jsonl.

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "prompts/mode.hpp"

namespace medvlm {

struct Prediction {
    std::string id;
    AblationMode mode = AblationMode::ImageText;
    int rotation = 0;

    std::vector<std::string> images_sent;  // file names as the records name them
    std::string image_source_id;           // the row whose images were sent ("" when none)
    int images_encoded = 0;
    int image_chunks = 0;
    int64_t image_tokens = 0;
    int64_t prompt_tokens = 0;
    int64_t generated_tokens = 0;
    bool truncated = false;

    bool ok = true;  // false: the call failed and `error` says why
    std::string error;
    std::string raw_output;

    // Multiple choice: the option letter in the record's own order (mapped
    // back from the rotation), "" for UNKNOWN. Short answer: the raw output.
    std::string extracted;
    std::string shown_letter;  // the letter as the model saw it
    std::string extraction_rule;
    bool ambiguous = false;
    std::string gold;
    bool correct = false;
    bool unknown = false;
    std::map<std::string, double> choice_logprobs;  // original letters
    // Short-answer metrics (exact_match, token_f1, ...), empty for multiple choice.
    nlohmann::json metrics = nlohmann::json::object();

    double image_encode_ms = 0;
    double prompt_eval_ms = 0;
    double generate_ms = 0;
    double total_ms = 0;

    [[nodiscard]] nlohmann::json to_json() const;
    // Throws InputError naming the missing or invalid field.
    [[nodiscard]] static Prediction from_json(const nlohmann::json& value);
    // "id|mode|rotation", unique within a run.
    [[nodiscard]] std::string key() const;
};

// The key of the call (id, mode, rotation), as Prediction::key() writes it.
[[nodiscard]] std::string prediction_key(const std::string& id, AblationMode mode, int rotation);

}  // namespace medvlm
