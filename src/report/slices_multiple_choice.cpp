#include "report/slices_multiple_choice.hpp"

#include <optional>

#include "report/summary_common.hpp"
#include "report/summary_multiple_choice.hpp"

namespace medvlm {

SliceDefinition images_per_row_slice() {
    return {"images_per_row", [](const Example& example) -> std::vector<std::string> {
                const size_t count = example.images.size();
                return {count >= 3 ? "3+" : std::to_string(count)};
            }};
}

std::vector<SliceDefinition> multiple_choice_slice_definitions() {
    return {field_slice("medical_task"), field_slice("body_system"), field_slice("question_type"),
            images_per_row_slice()};
}

nlohmann::json summarize_multiple_choice_slices(
    const std::vector<std::string>& modes, const std::map<std::string, std::vector<const Prediction*>>& by_mode,
    const std::vector<Example>& examples, const MultipleChoiceContext& context) {
    nlohmann::json slices = nlohmann::json::object();
    for (const SliceDefinition& definition : multiple_choice_slice_definitions()) {
        std::map<std::string, int64_t> rows_per_value;
        for (const auto& example : examples) {
            for (const auto& value : definition.values(example)) {
                rows_per_value[value] += 1;
            }
        }

        // value -> mode -> the mode's calls in that slice
        std::map<std::string, std::map<std::string, std::vector<const Prediction*>>> grouped;
        for (const auto& mode : modes) {
            const auto calls = by_mode.find(mode);
            if (calls == by_mode.end()) {
                continue;
            }
            for (auto& [value, slice_calls] : group_by_slice(calls->second, context.rows, definition)) {
                grouped[value][mode] = std::move(slice_calls);
            }
        }

        nlohmann::json table = nlohmann::json::object();
        for (const auto& [value, rows] : rows_per_value) {
            nlohmann::json mode_results = nlohmann::json::object();
            auto& calls_by_mode = grouped[value];
            for (const auto& mode : modes) {
                const std::vector<const Prediction*>& calls = calls_by_mode[mode];
                const nlohmann::json accuracy = accuracy_with_interval(calls, 0, *context.statistics);
                const std::optional<double> mean = rotation_mean_accuracy(calls, context.rotations);
                mode_results[mode] = {
                    {"n", accuracy.at("n")},
                    {"correct", accuracy.at("correct")},
                    {"accuracy", accuracy.at("value")},
                    {"ci95", accuracy.at("ci95")},
                    {"rotation_mean_accuracy", mean ? nlohmann::json(*mean) : nlohmann::json(nullptr)},
                };
            }
            const auto compare = [&](const std::string& first, const std::string& second) {
                return compare_modes_multiple_choice(calls_by_mode[first], calls_by_mode[second], *context.statistics);
            };
            table[value] = {
                {"rows", rows},
                {"modes", mode_results},
                {"image_gain", compare("image+text", "text-only")},
                {"shuffled_image_gap", compare("image+text", "shuffled-image")},
            };
        }
        slices[definition.name] = table;
    }
    return slices;
}

}  // namespace medvlm
