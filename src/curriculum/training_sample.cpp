#include "curriculum/training_sample.hpp"

namespace medvlm {

nlohmann::ordered_json TrainingSample::to_json() const {
    nlohmann::ordered_json line = {
        {"id", id},
        {"stage", stage},
        {"source", {{"benchmark", source.benchmark}, {"file", source.file}, {"record_id", source.record_id},
                    {"label", source.label}}},
        {"images", images},
        {"image_sha256", image_sha256},
        {"prompt", prompt},
        {"answer", answer},
        {"task", task},
    };
    if (replay_of_stage != 0) {
        line["replay_of_stage"] = replay_of_stage;
    }
    return line;
}

}  // namespace medvlm
