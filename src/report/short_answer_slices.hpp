#pragma once
// The slices a short-answer summary reports for SLAKE and VQA-RAD. Language
// is not among them: the summary keeps each language apart above the
// slices, so every slice row contains one language only.

#include <string>
#include <string_view>
#include <vector>

#include "data/benchmark.hpp"
#include "report/slices.hpp"

namespace medvlm {

struct ShortAnswerSlice {
    SliceDefinition definition;
    std::string description;  // written to summary.json under slice_definitions
};

// SLAKE: answer_type, content_type, modality, location, base_type,
// gold_yes_no. VQA-RAD: answer_type, question_type (folded), image_organ,
// phrase_type (freeform or paraphrase), gold_yes_no. Other benchmarks:
// answer_type and gold_yes_no.
[[nodiscard]] std::vector<ShortAnswerSlice> short_answer_slices(Benchmark benchmark);

// Folds one VQA-RAD question_type value into its categories: comma-joined
// values are split ("PRES, POS" counts in PRES and in POS), case is folded
// ("Other" is OTHER) and the release's misspellings are corrected (ATRIB is
// ATTRIB, PRSE is PRES). Each category appears once.
[[nodiscard]] std::vector<std::string> fold_question_type(std::string_view question_type);

// VQA-RAD phrase_type without its split: "freeform" for freeform and
// test_freeform, "paraphrase" for para and test_para; any other value is
// returned unchanged.
[[nodiscard]] std::string phrase_kind(std::string_view phrase_type);

}  // namespace medvlm
