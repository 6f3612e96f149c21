#pragma once
// Ablation modes: which images and which text a call sends. Comparing the
// modes shows whether a score depends on the images at all.
//
//   mode                images sent              text sent
//   text-only           none                     question + choices
//   image+text          the row's own images     question + choices
//   shuffled-image      another row's images     question + choices
//   options-only        none                     choices only
//   image+options-only  the row's own images     a minimal stem + choices

#include <string>
#include <string_view>
#include <vector>

namespace medvlm {

enum class AblationMode { TextOnly, ImageText, ShuffledImage, OptionsOnly, ImageOptionsOnly };

[[nodiscard]] std::string mode_name(AblationMode mode);

// Throws InputError listing the accepted names.
[[nodiscard]] AblationMode parse_mode(std::string_view name);

// Parses a comma-separated list such as "image+text,text-only"; repeats are
// rejected.
[[nodiscard]] std::vector<AblationMode> parse_modes(std::string_view list);

[[nodiscard]] bool mode_sends_images(AblationMode mode);

// True for the modes that send the question stem (or vignette).
[[nodiscard]] bool mode_sends_question(AblationMode mode);

[[nodiscard]] const std::vector<AblationMode>& all_modes();

}  // namespace medvlm
