#pragma once
// Copies of the stage files in the dataset formats common trainers read,
// for users who train outside medvlm. Image paths stay absolute.
//
//   llama-factory/stageN.json      JSON array, sharegpt style: {"messages":
//                                  [{"role", "content"}], "images": [...]},
//                                  one "<image>" tag per image at the start
//                                  of the user turn; dataset_info.json
//                                  registers each non-empty stage as
//                                  medvlm_stageN
//   ms-swift/stageN.jsonl          {"messages": [...], "images": [...]} with
//                                  the same "<image>" tags
//   mlx-vlm/stageN/train.jsonl     {"images": [...], "messages": [...]}
//                                  without tags: mlx-vlm's chat template
//                                  inserts the image tokens itself

#include <filesystem>
#include <map>
#include <vector>

#include <nlohmann/json.hpp>

#include "curriculum/training_sample.hpp"

namespace medvlm {

// Writes the exports of the stages (stage number -> samples) under
// `directory` and returns what was written, with the command that reads
// each format.
[[nodiscard]] nlohmann::ordered_json write_trainer_exports(const std::filesystem::path& directory,
                                                   const std::map<int, std::vector<TrainingSample>>& stages);

}  // namespace medvlm
