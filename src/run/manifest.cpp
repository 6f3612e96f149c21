#include "run/manifest.hpp"

#include <chrono>
#include <map>
#include <set>

#include <fmt/chrono.h>
#include <fmt/format.h>

#include "core/sha256.hpp"
#include "core/version.hpp"
#include "scoring/choice_extractor.hpp"
#include "scoring/short_answer.hpp"

namespace medvlm {
namespace {

nlohmann::json hashed_part(const nlohmann::json& manifest) {
    nlohmann::json stable = manifest;
    stable.erase("created_at");
    stable.erase("execution");
    return stable;
}

std::string shorten(const nlohmann::json& value) {
    std::string text = value.dump();
    constexpr size_t kMaxLength = 120;
    if (text.size() > kMaxLength) {
        text = text.substr(0, kMaxLength) + "...";
    }
    return text;
}

// Descends into objects only, so a changed list (modes, for example) is
// reported as one field with both values.
void collect_differences(const nlohmann::json& stored, const nlohmann::json& current, const std::string& path,
                         std::vector<std::string>& differences) {
    if (stored == current) {
        return;
    }
    if (stored.is_object() && current.is_object()) {
        std::set<std::string> keys;
        for (const auto& item : stored.items()) {
            keys.insert(item.key());
        }
        for (const auto& item : current.items()) {
            keys.insert(item.key());
        }
        for (const auto& key : keys) {
            const std::string child = path.empty() ? key : path + "." + key;
            if (!stored.contains(key)) {
                differences.push_back(child + " (absent in the stored run, now " + shorten(current.at(key)) + ")");
            } else if (!current.contains(key)) {
                differences.push_back(child + " (stored " + shorten(stored.at(key)) + ", now absent)");
            } else {
                collect_differences(stored.at(key), current.at(key), child, differences);
            }
        }
        return;
    }
    differences.push_back((path.empty() ? std::string("manifest") : path) + " (stored " + shorten(stored) +
                          ", now " + shorten(current) + ")");
}

}  // namespace

int effective_max_new_tokens(const EvalConfig& config) {
    if (config.max_new_tokens > 0) {
        return config.max_new_tokens;
    }
    return task_kind(config.dataset.benchmark) == TaskKind::MultipleChoice ? 8 : 16;
}

std::string image_set_hash(const Dataset& dataset) {
    std::map<std::string, std::string> images;
    for (const auto& example : dataset.examples) {
        for (const auto& image : example.images) {
            images[image.name] = image.sha256;
        }
    }
    std::string joined;
    for (const auto& [name, sha256] : images) {
        joined += name + "\t" + sha256 + "\n";
    }
    return sha256_hex(joined);
}

nlohmann::json build_manifest(const EvalConfig& config, const Dataset& dataset,
                              const nlohmann::json& engine_description, const nlohmann::json& engine_execution) {
    nlohmann::json modes = nlohmann::json::array();
    for (const auto mode : config.modes) {
        modes.push_back(mode_name(mode));
    }
    const bool multiple_choice = task_kind(config.dataset.benchmark) == TaskKind::MultipleChoice;
    const auto now = std::chrono::system_clock::now();

    nlohmann::json manifest = {
        {"schema", kManifestSchema},
        {"created_at", fmt::format("{:%Y-%m-%dT%H:%M:%SZ}", fmt::gmtime(std::chrono::system_clock::to_time_t(now)))},
        {"medvlm", {{"version", medvlm_version()}, {"git_commit", medvlm_git_commit()}}},
        {"benchmark", benchmark_name(config.dataset.benchmark)},
        {"task", multiple_choice ? "multiple-choice" : "short-answer"},
        {"data",
         {{"file", config.dataset.data_file.string()},
          {"sha256", dataset.data_sha256},
          {"split", dataset.split},
          {"lang", dataset.lang},
          {"limit", config.dataset.limit},
          {"skip_invalid", config.dataset.skip_invalid},
          {"image_root", config.dataset.image_root.string()},
          {"images_sha256", image_set_hash(dataset)},
          {"stand_in_images", dataset.stand_in_images},
          {"rows", dataset.examples.size()}}},
        {"protocol",
         {{"modes", modes},
          {"rotations", config.rotations},
          {"scoring", scoring_name(config.scoring)},
          {"seed", config.seed}}},
        {"prompts", config.prompts.to_json()},
        {"decoding",
         {{"strategy", "greedy"}, {"temperature", 0}, {"max_new_tokens", effective_max_new_tokens(config)}}},
        {"extractor_version", multiple_choice ? kChoiceExtractorVersion : ""},
        {"metric_definitions", multiple_choice ? nlohmann::json::object()
                                               : short_answer_metric_definitions(config.normalize)},
        {"image_limits",
         {{"max_pixels", config.dataset.image_limits.max_pixels},
          {"max_file_bytes", config.dataset.image_limits.max_file_bytes}}},
        {"engine", engine_description},
        {"execution", {{"shard", config.shard.to_string()}, {"engine", engine_execution}}},
    };
    return manifest;
}

std::string manifest_hash(const nlohmann::json& manifest) {
    return sha256_hex(hashed_part(manifest).dump());
}

std::vector<std::string> manifest_differences(const nlohmann::json& stored, const nlohmann::json& current) {
    std::vector<std::string> differences;
    collect_differences(hashed_part(stored), hashed_part(current), "", differences);
    return differences;
}

}  // namespace medvlm
