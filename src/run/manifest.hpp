#pragma once
// manifest.json: everything that defines a run, so two runs can be checked
// for the same harness and a run can be resumed only by the same setup.

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "data/dataset.hpp"
#include "engine/engine.hpp"
#include "prompts/mode.hpp"
#include "prompts/prompt_builder.hpp"
#include "run/shard.hpp"
#include "scoring/normalize.hpp"

namespace medvlm {

inline constexpr const char* kManifestSchema = "medvlm-manifest/1";

struct EvalConfig {
    DatasetOptions dataset;
    std::vector<AblationMode> modes = {AblationMode::ImageText, AblationMode::TextOnly};
    int rotations = 1;
    Scoring scoring = Scoring::Generate;
    int max_new_tokens = 0;  // 0: 8 for multiple choice, 16 for short answers
    uint64_t seed = 0;
    PromptTexts prompts = PromptTexts::defaults();
    NormalizeOptions normalize;
    std::filesystem::path out_dir;
    ShardSpec shard;
    // An existing RUN_DIR with a different manifest: start over in a new
    // directory next to it instead of stopping.
    bool force_new = false;
};

// The default generation budget when --max-new-tokens is not given.
[[nodiscard]] int effective_max_new_tokens(const EvalConfig& config);

// `engine_execution` (endpoints, concurrency, timeouts) goes with the shard
// into the manifest's "execution" section, which records how this process
// ran and is not part of the manifest hash.
[[nodiscard]] nlohmann::json build_manifest(const EvalConfig& config, const Dataset& dataset,
                                            const nlohmann::json& engine_description,
                                            const nlohmann::json& engine_execution = nlohmann::json::object());

// SHA-256 of the manifest without its creation time and its "execution"
// section: equal hashes mean the same data, prompts, decoding, scoring,
// engine and medvlm build, so their predictions can be resumed or merged.
[[nodiscard]] std::string manifest_hash(const nlohmann::json& manifest);

// The fields, as dotted paths ("protocol.modes", "engine.model_sha256"),
// whose values differ between two manifests, with both values, ignoring
// the same parts manifest_hash ignores. Empty when the hashes are equal.
[[nodiscard]] std::vector<std::string> manifest_differences(const nlohmann::json& stored,
                                                            const nlohmann::json& current);

// SHA-256 over the sorted (image name, content SHA-256) pairs a dataset uses.
[[nodiscard]] std::string image_set_hash(const Dataset& dataset);

}  // namespace medvlm
