#pragma once
// Training samples of stages 2 and 3 and the instruction pool of stage 4,
// built from the records a curriculum keeps.

#include <vector>

#include "curriculum/training_sample.hpp"
#include "leakage/image_fingerprint.hpp"
#include "sources/source.hpp"

namespace medvlm {

// Source, images and image hashes of a sample made from `record`; the
// caller fills id, stage, prompt, answer and task.
[[nodiscard]] TrainingSample sample_from_record(const Source& source, const SourceRecord& record,
                                                const ImageTable& images);

// Short-answer VQA (stage 2): the short-answer prompt of `medvlm eval` and
// the canonical answer. Records whose canonical answer is empty are
// counted in `empty_answers` and left out.
[[nodiscard]] std::vector<TrainingSample> short_answer_samples(const Source& source,
                                                               const std::vector<const SourceRecord*>& records,
                                                               const ImageTable& images, size_t& empty_answers);

// Clinical multiple choice (stage 3): the multiple-choice prompt of
// `medvlm eval` with the options in record order, and "Final answer: X".
[[nodiscard]] std::vector<TrainingSample> multiple_choice_samples(const Source& source,
                                                                  const std::vector<const SourceRecord*>& records,
                                                                  const ImageTable& images);

// General instruction samples for stage 4: the question as the prompt and
// the answer unchanged.
[[nodiscard]] std::vector<TrainingSample> instruction_samples(const Source& source,
                                                              const std::vector<const SourceRecord*>& records,
                                                              const ImageTable& images);

}  // namespace medvlm
