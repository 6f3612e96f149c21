#pragma once
// One line of a stage file in medvlm's training record format
// (docs/training-format.md).

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace medvlm {

struct SampleSource {
    std::string benchmark;  // a medvlm benchmark name, "generic" or "instruction"
    std::string file;       // the records file as given in the SPEC
    std::string record_id;
    std::string label;      // the SPEC's report label
};

struct TrainingSample {
    std::string id;  // unique within its stage file
    int stage = 0;   // 1-4
    SampleSource source;
    std::vector<std::string> images;        // absolute paths, in the order shown
    std::vector<std::string> image_sha256;  // of each image file, same order
    std::string prompt;
    std::string answer;
    // The skill the sample trains: grounding_modality,
    // grounding_body_region, grounding_plane, grounding_organ,
    // grounding_presence, grounding_normality, short_answer,
    // multiple_choice or instruction.
    std::string task;
    int replay_of_stage = 0;  // stage 4 only: the stage a replayed sample comes from (0: none)

    [[nodiscard]] nlohmann::ordered_json to_json() const;
};

}  // namespace medvlm
