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
};

// The default generation budget when --max-new-tokens is not given.
[[nodiscard]] int effective_max_new_tokens(const EvalConfig& config);

[[nodiscard]] nlohmann::json build_manifest(const EvalConfig& config, const Dataset& dataset,
                                            const nlohmann::json& engine_description);

// SHA-256 of the manifest without its creation time: equal hashes mean the
// same data, prompts, decoding, scoring, engine and medvlm build.
[[nodiscard]] std::string manifest_hash(const nlohmann::json& manifest);

// SHA-256 over the sorted (image name, content SHA-256) pairs a dataset uses.
[[nodiscard]] std::string image_set_hash(const Dataset& dataset);

}  // namespace medvlm
