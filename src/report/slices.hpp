#pragma once
// Grouping of a run's predictions into slices of the evaluated rows (by
// modality, question type, number of images, ...). A row can belong to
// several slices of one definition, for example VQA-RAD's "PRES, POS".

#include <functional>
#include <map>
#include <string>
#include <vector>

#include "data/example.hpp"
#include "run/prediction.hpp"

namespace medvlm {

// The slice values a row belongs to; an empty list leaves the row out.
using SliceValues = std::function<std::vector<std::string>(const Example&)>;

struct SliceDefinition {
    std::string name;  // for example "modality"
    SliceValues values;
};

// A slice definition reading one metadata field; rows without the field
// fall in the slice "(missing)".
[[nodiscard]] SliceDefinition field_slice(const std::string& field);

// Predictions grouped by slice value. `rows` maps example ids to examples.
[[nodiscard]] std::map<std::string, std::vector<const Prediction*>> group_by_slice(
    const std::vector<const Prediction*>& predictions, const std::map<std::string, const Example*>& rows,
    const SliceDefinition& slice);

[[nodiscard]] std::map<std::string, const Example*> index_by_id(const std::vector<Example>& examples);

}  // namespace medvlm
