#include "report/summary_multiple_choice.hpp"

#include <algorithm>
#include <map>

#include "report/interpretation.hpp"
#include "report/mode_summary_multiple_choice.hpp"
#include "report/slices_multiple_choice.hpp"
#include "report/summary_common.hpp"

namespace medvlm {
namespace {

// Baselines on every evaluated row, whatever the calls did.
nlohmann::json row_baselines(const Dataset& dataset, size_t option_count) {
    std::map<std::string, int64_t> gold_counts;
    for (const auto& example : dataset.examples) {
        gold_counts[example.answer] += 1;
    }
    std::string majority;
    int64_t majority_count = 0;
    for (const auto& [letter, count] : gold_counts) {
        if (count > majority_count) {
            majority = letter;
            majority_count = count;
        }
    }
    const auto rows = static_cast<int64_t>(dataset.examples.size());
    return {
        {"random", option_count == 0 ? 0.0 : 1.0 / static_cast<double>(option_count)},
        {"best_constant_letter", {{"letter", majority}, {"accuracy", share(majority_count, rows)}}},
        {"majority_label", {{"letter", majority}, {"share", share(majority_count, rows)}}},
        {"label_counts", gold_counts},
        {"rows", rows},
    };
}

// Accuracy of `first` minus `second` on the original order, or null.
nlohmann::json mode_difference(const nlohmann::json& modes, const std::string& first, const std::string& second) {
    if (!modes.contains(first) || !modes.contains(second) || modes.at(first).at("n").get<int64_t>() == 0 ||
        modes.at(second).at("n").get<int64_t>() == 0) {
        return nullptr;
    }
    return modes.at(first).at("accuracy").get<double>() - modes.at(second).at("accuracy").get<double>();
}

}  // namespace

nlohmann::json summarize_multiple_choice(const nlohmann::json& manifest, const Dataset& dataset,
                                         const std::vector<Prediction>& predictions) {
    MultipleChoiceContext context;
    context.rows = index_by_id(dataset.examples);
    context.rotations = manifest.at("protocol").at("rotations").get<int>();
    for (const auto& example : dataset.examples) {
        context.option_count = std::max(context.option_count, example.choices.size());
    }

    std::map<std::string, std::vector<const Prediction*>> by_mode;
    for (const auto& prediction : predictions) {
        by_mode[mode_name(prediction.mode)].push_back(&prediction);
    }
    std::vector<std::string> mode_names;
    nlohmann::json modes = nlohmann::json::object();
    for (const auto& mode_value : manifest.at("protocol").at("modes")) {
        const std::string mode = mode_value.get<std::string>();
        mode_names.push_back(mode);
        modes[mode] = summarize_multiple_choice_mode(parse_mode(mode), by_mode[mode], context);
    }

    const bool stand_in_images = manifest.at("data").value("stand_in_images", false);
    const bool test_model = manifest.at("engine").value("test_model", false);
    const auto comparisons = compare_point_estimates(mode_names, modes, stand_in_images, test_model);
    nlohmann::json interpretation = nlohmann::json::array();
    for (const auto& finding : interpret_multiple_choice(comparisons)) {
        interpretation.push_back(finding.to_json());
    }

    const std::string image_text = mode_name(AblationMode::ImageText);
    return {
        {"modes", modes},
        {"baselines", row_baselines(dataset, context.option_count)},
        {"comparisons",
         {{"image_gain", mode_difference(modes, image_text, mode_name(AblationMode::TextOnly))},
          {"shuffled_image_gap", mode_difference(modes, image_text, mode_name(AblationMode::ShuffledImage))}}},
        {"slices", summarize_multiple_choice_slices(mode_names, by_mode, dataset.examples, context)},
        {"stand_in_images", stand_in_images},
        {"interpretation_basis", comparisons.basis},
        {"interpretation", interpretation},
    };
}

}  // namespace medvlm
