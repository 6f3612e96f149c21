#pragma once
// The prompt-token image proof: evidence, from the prompt token counts
// alone, that images reached the model.
//
// A remote server reports only its prompt token count (usage.prompt_tokens),
// not how many positions the images took. The same row sent with and
// without images, with the same text, must then count more prompt tokens
// with images, and a server that silently dropped the images counts none.
// The in-process engine counts image tokens directly, and the proof is computed
// for its runs too.
//
// Pairs with exactly the same text: image+text and shuffled-image against
// text-only. image+options-only has no such partner (its minimal stem is
// text that options-only lacks), so for remote engines it relies on the
// image+text proof of the same run.

#include <optional>
#include <vector>

#include <nlohmann/json.hpp>

#include "prompts/mode.hpp"
#include "run/prediction.hpp"

namespace medvlm {

// The mode that sends the same text without images, if there is one.
[[nodiscard]] std::optional<AblationMode> text_only_partner(AblationMode mode);

// False when the manifest's engine marks itself as not reporting image
// tokens ("reports_image_tokens": false, as remote engines do).
[[nodiscard]] bool engine_reports_image_tokens(const nlohmann::json& manifest);

// Per image mode: rows compared, rows where images added prompt tokens, and
// the added tokens (min, median, max). When the engine does not report
// image tokens, appends a reason to `invalid_reasons` for every image mode
// whose images added no tokens in some row or that could not be compared.
[[nodiscard]] nlohmann::json prompt_token_image_proof(const nlohmann::json& manifest,
                                                      const std::vector<Prediction>& predictions,
                                                      nlohmann::json& invalid_reasons);

}  // namespace medvlm
