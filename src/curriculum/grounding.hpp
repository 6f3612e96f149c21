#pragma once
// Stage 1, visual grounding: short questions about what an image shows,
// generated from record metadata.
//
// From the metadata of single-image records, one sample per image and task:
//   grounding_modality     SLAKE `modality`, generic fields.modality
//   grounding_body_region  SLAKE `location` and VQA-RAD `image_organ`,
//                          mapped to a body region; generic fields.body_region
// From English questions whose category is a grounding one (SLAKE
// `content_type`, VQA-RAD `question_type`) and whose canonical answer has
// at most three words, one sample per record, the question followed by a
// short-answer instruction:
//   grounding_modality, grounding_plane, grounding_organ,
//   grounding_presence (VQA-RAD PRES), grounding_normality (SLAKE
//   Abnormality, VQA-RAD ABN)

#include <map>
#include <string>
#include <vector>

#include "curriculum/training_sample.hpp"
#include "leakage/image_fingerprint.hpp"
#include "sources/source.hpp"

namespace medvlm {

struct GroundingCounts {
    std::map<std::string, size_t> samples_by_task;
    // Metadata values without a body-region mapping: field -> value -> records.
    std::map<std::string, std::map<std::string, size_t>> unmapped_values;
    // Grounding questions left out because the answer has more than three words.
    size_t answers_too_long = 0;
};

// The body region a SLAKE `location` or VQA-RAD `image_organ` value maps
// to ("Chest_lung" -> "chest", "ABD" -> "abdomen"); empty when unknown.
[[nodiscard]] std::string body_region_of(const std::string& field, const std::string& value);

[[nodiscard]] std::vector<TrainingSample> grounding_samples(const Source& source,
                                                            const std::vector<const SourceRecord*>& records,
                                                            const ImageTable& images, GroundingCounts& counts);

}  // namespace medvlm
