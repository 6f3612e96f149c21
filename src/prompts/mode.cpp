#include "prompts/mode.hpp"

#include <algorithm>

#include "core/error.hpp"
#include "core/text.hpp"

namespace medvlm {

const std::vector<AblationMode>& all_modes() {
    static const std::vector<AblationMode> modes = {AblationMode::TextOnly, AblationMode::ImageText,
                                                    AblationMode::ShuffledImage, AblationMode::OptionsOnly,
                                                    AblationMode::ImageOptionsOnly};
    return modes;
}

std::string mode_name(AblationMode mode) {
    switch (mode) {
        case AblationMode::TextOnly: return "text-only";
        case AblationMode::ImageText: return "image+text";
        case AblationMode::ShuffledImage: return "shuffled-image";
        case AblationMode::OptionsOnly: return "options-only";
        case AblationMode::ImageOptionsOnly: return "image+options-only";
    }
    return "unknown";
}

AblationMode parse_mode(std::string_view name) {
    for (const auto mode : all_modes()) {
        if (mode_name(mode) == name) {
            return mode;
        }
    }
    throw InputError("unknown mode '" + std::string(name) +
                     "'; expected one of: text-only, image+text, shuffled-image, options-only, image+options-only");
}

std::vector<AblationMode> parse_modes(std::string_view list) {
    std::vector<AblationMode> modes;
    for (const auto& part : split(list, ',')) {
        const std::string name = trim(part);
        if (name.empty()) {
            continue;
        }
        const AblationMode mode = parse_mode(name);
        if (std::find(modes.begin(), modes.end(), mode) != modes.end()) {
            throw InputError("mode '" + name + "' is listed twice in --modes");
        }
        modes.push_back(mode);
    }
    if (modes.empty()) {
        throw InputError("--modes is empty; give at least one mode, for example image+text,text-only");
    }
    return modes;
}

bool mode_sends_images(AblationMode mode) {
    return mode == AblationMode::ImageText || mode == AblationMode::ShuffledImage ||
           mode == AblationMode::ImageOptionsOnly;
}

bool mode_sends_question(AblationMode mode) {
    return mode == AblationMode::TextOnly || mode == AblationMode::ImageText || mode == AblationMode::ShuffledImage;
}

}  // namespace medvlm
