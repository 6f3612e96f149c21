#include "compare/harness_check.hpp"

#include <algorithm>
#include <set>

namespace medvlm {
namespace {

std::string shorten(const nlohmann::json& value) {
    constexpr size_t kMaxLength = 100;
    std::string text = value.is_string() ? value.get<std::string>() : value.dump();
    if (text.size() > kMaxLength) {
        text = text.substr(0, kMaxLength) + "...";
    }
    return text;
}

// Descends into objects so the line names the innermost differing field.
void collect(const nlohmann::json* first, const nlohmann::json* second, const std::string& path,
             const std::string& first_label, const std::string& second_label, std::vector<std::string>& out) {
    if (first != nullptr && second != nullptr && *first == *second) {
        return;
    }
    if (first != nullptr && second != nullptr && first->is_object() && second->is_object()) {
        std::set<std::string> keys;
        for (const auto& item : first->items()) {
            keys.insert(item.key());
        }
        for (const auto& item : second->items()) {
            keys.insert(item.key());
        }
        for (const auto& key : keys) {
            collect(first->contains(key) ? &first->at(key) : nullptr, second->contains(key) ? &second->at(key) : nullptr,
                    path + "." + key, first_label, second_label, out);
        }
        return;
    }
    const auto text = [](const nlohmann::json* value) { return value == nullptr ? std::string("absent") : shorten(*value); };
    out.push_back(path + ": " + first_label + " " + text(first) + ", " + second_label + " " + text(second));
}

const nlohmann::json* find_path(const nlohmann::json& manifest, const std::vector<std::string>& path) {
    const nlohmann::json* value = &manifest;
    for (const auto& key : path) {
        if (!value->is_object() || !value->contains(key)) {
            return nullptr;
        }
        value = &value->at(key);
    }
    return value;
}

bool sends_shuffled_images(const nlohmann::json& manifest) {
    const auto* modes = find_path(manifest, {"protocol", "modes"});
    return modes != nullptr && std::find(modes->begin(), modes->end(), "shuffled-image") != modes->end();
}

}  // namespace

std::vector<std::string> harness_differences(const nlohmann::json& first_manifest, const std::string& first_label,
                                             const nlohmann::json& second_manifest, const std::string& second_label) {
    // The prompt texts are compared through their SHA-256 so a line stays short.
    std::vector<std::vector<std::string>> fields = {
        {"benchmark"},         {"task"},           {"data", "sha256"},          {"data", "split"},
        {"data", "lang"},      {"data", "stand_in_images"}, {"prompts", "sha256"},
        {"decoding"},          {"extractor_version"}, {"metric_definitions"},   {"protocol", "scoring"},
        {"protocol", "rotations"}, {"image_limits"},
    };
    if (sends_shuffled_images(first_manifest) && sends_shuffled_images(second_manifest)) {
        fields.push_back({"protocol", "seed"});
    }

    std::vector<std::string> differences;
    for (const auto& field : fields) {
        std::string path;
        for (const auto& key : field) {
            path += (path.empty() ? "" : ".") + key;
        }
        collect(find_path(first_manifest, field), find_path(second_manifest, field), path, first_label, second_label,
                differences);
    }
    return differences;
}

std::vector<std::string> image_differences(const ExampleIndex& first, const std::string& first_label,
                                           const ExampleIndex& second, const std::string& second_label) {
    std::vector<std::string> differences;
    for (const auto& example : first.examples()) {
        const ExampleInfo* other = second.find(example.id);
        if (other == nullptr || other->image_sha256 == example.image_sha256) {
            continue;
        }
        differences.push_back("images of example " + example.id + ": " + first_label + " " +
                              shorten(nlohmann::json(example.image_sha256)) + ", " + second_label + " " +
                              shorten(nlohmann::json(other->image_sha256)));
    }
    return differences;
}

}  // namespace medvlm
