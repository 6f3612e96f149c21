#pragma once
// Builds the four training stages from training sources after dropping
// every record the leakage checks flag against the excluded eval sources.
//
//   stage 1  visual grounding (grounding.hpp)
//   stage 2  short-answer VQA with canonical answers
//   stage 3  clinical multiple choice, "Final answer: X" targets
//   stage 4  mixed replay of stages 1-3 and instruction samples (replay_mix.hpp)

#include <cstdint>
#include <filesystem>
#include <map>
#include <set>
#include <vector>

#include <nlohmann/json.hpp>

#include "curriculum/replay_mix.hpp"
#include "curriculum/training_sample.hpp"
#include "leakage/leakage_checks.hpp"

namespace medvlm {

struct CurriculumOptions {
    LeakageSettings leakage;
    // A training record in a pair of one of these checks is dropped.
    std::set<LeakageCheck> drop_on = {all_leakage_checks().begin(), all_leakage_checks().end()};
    ReplayMix mix;
    size_t replay_size = 0;  // 0: the largest size that repeats no sample
    uint64_t seed = 0;
};

struct DroppedRecord {
    RecordRef record;
    std::set<std::string> reasons;  // check names, or image_unusable
    std::vector<const LeakagePair*> pairs;
};

struct Curriculum {
    std::map<int, std::vector<TrainingSample>> stages;  // keys 1 to 4, possibly empty
    std::map<int, std::string> empty_reasons;           // for each empty stage
    std::vector<DroppedRecord> dropped;
    LeakageResult leakage;
    nlohmann::ordered_json summary;  // the content of curriculum.json
};

// `from` and `exclude` gain image fingerprints (see find_leakage()).
[[nodiscard]] Curriculum build_curriculum(std::vector<Source>& from, std::vector<Source>& exclude,
                                          const CurriculumOptions& options);

// Writes stage1.jsonl ... stage4.jsonl, curriculum.json, dropped.jsonl,
// leakage.json, leakage.md and the trainer exports into `directory`.
void write_curriculum(const std::filesystem::path& directory, Curriculum& curriculum, const std::vector<Source>& from,
                      const std::vector<Source>& exclude, const CurriculumOptions& options);

}  // namespace medvlm
