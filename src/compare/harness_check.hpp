#pragma once
// The harness check of `medvlm compare`: two runs may be compared only when
// everything but the model is the same. The manifest fields compared are
// the data file's SHA-256, its split and language, stand-in images, the
// benchmark and task, every prompt text (by SHA-256), the decoding
// parameters, the answer extractor version, the metric definitions, the
// scoring method, the option rotations, the image limits and, when both
// runs send shuffled images, the seed that pairs them. The content of the
// images is compared example by example (image_differences), because two
// runs over different numbers of rows use different image sets whose
// manifest hashes (images_sha256) differ although every shared image is
// the same; the rows one run lacks are reported by the pairing instead.
// The engine and the model are what a comparison compares, so they are not
// part of the harness; the modes may differ, and only the modes both runs
// evaluated are compared.

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "report/example_index.hpp"

namespace medvlm {

// One line per differing field, naming the field and both values, such as
// "prompts.sha256.short_answer: run A 1f2e3d4c5b6a..., run B 9a8b7c6d5e4f...".
// Empty when the harness is the same.
[[nodiscard]] std::vector<std::string> harness_differences(const nlohmann::json& first_manifest,
                                                           const std::string& first_label,
                                                           const nlohmann::json& second_manifest,
                                                           const std::string& second_label);

// One line per example both indexes hold whose images differ in content,
// such as "images of example 12: run A 1f2e..., run B 9a8b...".
[[nodiscard]] std::vector<std::string> image_differences(const ExampleIndex& first, const std::string& first_label,
                                                         const ExampleIndex& second, const std::string& second_label);

}  // namespace medvlm
