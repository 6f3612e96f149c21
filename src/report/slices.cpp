#include "report/slices.hpp"

namespace medvlm {

SliceDefinition field_slice(const std::string& field) {
    return {field, [field](const Example& example) -> std::vector<std::string> {
                const auto it = example.fields.find(field);
                return {it == example.fields.end() ? "(missing)" : it->second};
            }};
}

std::map<std::string, std::vector<const Prediction*>> group_by_slice(
    const std::vector<const Prediction*>& predictions, const std::map<std::string, const Example*>& rows,
    const SliceDefinition& slice) {
    std::map<std::string, std::vector<const Prediction*>> groups;
    for (const Prediction* prediction : predictions) {
        const auto row = rows.find(prediction->id);
        if (row == rows.end()) {
            continue;
        }
        for (const auto& value : slice.values(*row->second)) {
            groups[value].push_back(prediction);
        }
    }
    return groups;
}

std::map<std::string, const Example*> index_by_id(const std::vector<Example>& examples) {
    std::map<std::string, const Example*> rows;
    for (const auto& example : examples) {
        rows.emplace(example.id, &example);
    }
    return rows;
}

}  // namespace medvlm
