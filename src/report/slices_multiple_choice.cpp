#include "report/slices_multiple_choice.hpp"

#include <optional>

#include "report/summary_common.hpp"

namespace medvlm {
namespace {

// Accuracy difference first - second on the original order, or null.
nlohmann::json accuracy_difference(const std::map<std::string, AccuracyCount>& accuracies, const std::string& first,
                                   const std::string& second) {
    const auto a = accuracies.find(first);
    const auto b = accuracies.find(second);
    if (a == accuracies.end() || b == accuracies.end() || a->second.n == 0 || b->second.n == 0) {
        return nullptr;
    }
    return share(a->second.correct, a->second.n) - share(b->second.correct, b->second.n);
}

}  // namespace

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
            std::map<std::string, AccuracyCount> accuracies;
            for (const auto& mode : modes) {
                const std::vector<const Prediction*>& calls = grouped[value][mode];
                const AccuracyCount count = accuracy_at_rotation(calls, 0);
                const std::optional<double> mean = rotation_mean_accuracy(calls, context.rotations);
                accuracies[mode] = count;
                mode_results[mode] = {
                    {"n", count.n},
                    {"correct", count.correct},
                    {"accuracy", share(count.correct, count.n)},
                    {"rotation_mean_accuracy", mean ? nlohmann::json(*mean) : nlohmann::json(nullptr)},
                };
            }
            table[value] = {
                {"rows", rows},
                {"modes", mode_results},
                {"image_gain", accuracy_difference(accuracies, "image+text", "text-only")},
                {"shuffled_image_gap", accuracy_difference(accuracies, "image+text", "shuffled-image")},
            };
        }
        slices[definition.name] = table;
    }
    return slices;
}

}  // namespace medvlm
