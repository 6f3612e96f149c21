#include "report/image_proof.hpp"

#include <algorithm>
#include <map>
#include <string>

namespace medvlm {
namespace {

struct ModeProof {
    int64_t rows = 0;
    int64_t rows_with_added_tokens = 0;
    std::vector<int64_t> added_tokens;
};

// Answered calls' prompt tokens by (id, rotation) for one mode.
std::map<std::pair<std::string, int>, int64_t> prompt_tokens_of(const std::vector<Prediction>& predictions,
                                                                 AblationMode mode) {
    std::map<std::pair<std::string, int>, int64_t> tokens;
    for (const auto& prediction : predictions) {
        if (prediction.ok && prediction.mode == mode) {
            tokens[{prediction.id, prediction.rotation}] = prediction.prompt_tokens;
        }
    }
    return tokens;
}

ModeProof compare_modes(const std::vector<Prediction>& predictions, AblationMode image_mode,
                        AblationMode text_mode) {
    const auto with_images = prompt_tokens_of(predictions, image_mode);
    const auto without_images = prompt_tokens_of(predictions, text_mode);
    ModeProof proof;
    for (const auto& [key, tokens] : with_images) {
        const auto partner = without_images.find(key);
        if (partner == without_images.end()) {
            continue;
        }
        const int64_t added = tokens - partner->second;
        proof.rows += 1;
        proof.rows_with_added_tokens += added > 0 ? 1 : 0;
        proof.added_tokens.push_back(added);
    }
    std::sort(proof.added_tokens.begin(), proof.added_tokens.end());
    return proof;
}

nlohmann::json proof_json(const ModeProof& proof, AblationMode partner) {
    nlohmann::json value = {
        {"compared_with", mode_name(partner)},
        {"rows", proof.rows},
        {"rows_with_added_tokens", proof.rows_with_added_tokens},
    };
    if (!proof.added_tokens.empty()) {
        value["added_tokens"] = {
            {"min", proof.added_tokens.front()},
            {"median", proof.added_tokens[proof.added_tokens.size() / 2]},
            {"max", proof.added_tokens.back()},
        };
    }
    return value;
}

void add_reasons(const std::string& mode, const std::string& partner, const ModeProof& proof,
                 nlohmann::json& invalid_reasons) {
    if (proof.rows == 0) {
        invalid_reasons.push_back(mode + ": no row has answered " + mode + " and " + partner +
                                  " calls to compare, so nothing shows that the server received the images");
    } else if (proof.rows_with_added_tokens == 0) {
        invalid_reasons.push_back(mode + ": the images added no prompt tokens (usage.prompt_tokens) over " + partner +
                                  " in any of " + std::to_string(proof.rows) +
                                  " rows; the server dropped the images");
    } else if (proof.rows_with_added_tokens < proof.rows) {
        invalid_reasons.push_back(mode + ": in " + std::to_string(proof.rows - proof.rows_with_added_tokens) + " of " +
                                  std::to_string(proof.rows) + " rows the images added no prompt tokens over " +
                                  partner + " (usage.prompt_tokens)");
    }
}

}  // namespace

std::optional<AblationMode> text_only_partner(AblationMode mode) {
    if (mode == AblationMode::ImageText || mode == AblationMode::ShuffledImage) {
        return AblationMode::TextOnly;
    }
    return std::nullopt;
}

bool engine_reports_image_tokens(const nlohmann::json& manifest) {
    const auto& engine = manifest.at("engine");
    return !(engine.contains("reports_image_tokens") && !engine.at("reports_image_tokens").get<bool>());
}

nlohmann::json prompt_token_image_proof(const nlohmann::json& manifest, const std::vector<Prediction>& predictions,
                                        nlohmann::json& invalid_reasons) {
    const bool remote = !engine_reports_image_tokens(manifest);
    std::vector<AblationMode> modes;
    for (const auto& name : manifest.at("protocol").at("modes")) {
        modes.push_back(parse_mode(name.get<std::string>()));
    }
    const auto in_run = [&](AblationMode mode) { return std::find(modes.begin(), modes.end(), mode) != modes.end(); };

    nlohmann::json by_mode = nlohmann::json::object();
    for (const auto mode : modes) {
        if (!mode_sends_images(mode)) {
            continue;
        }
        const auto partner = text_only_partner(mode);
        if (!partner) {
            by_mode[mode_name(mode)] = {{"compared_with", nullptr},
                                        {"note", "no mode sends the same text without images; the image+text "
                                                 "comparison of this run stands for it"}};
            if (remote && !in_run(AblationMode::ImageText)) {
                invalid_reasons.push_back(mode_name(mode) +
                                          ": a remote engine needs image+text and text-only in the same run to "
                                          "show that the server received the images");
            }
            continue;
        }
        const ModeProof proof = compare_modes(predictions, mode, *partner);
        by_mode[mode_name(mode)] = proof_json(proof, *partner);
        if (remote) {
            add_reasons(mode_name(mode), mode_name(*partner), proof, invalid_reasons);
        }
    }
    return {{"evidence", remote ? "usage.prompt_tokens" : "image tokens counted by the engine"},
            {"decides_validity", remote},
            {"modes", by_mode}};
}

}  // namespace medvlm
