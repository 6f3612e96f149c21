#include "report/summary_short_answer.hpp"

#include <map>
#include <set>

#include "core/error.hpp"
#include "report/short_answer_metrics.hpp"
#include "report/short_answer_slices.hpp"
#include "scoring/short_answer_question.hpp"

namespace medvlm {
namespace {

using Calls = std::vector<const Prediction*>;

nlohmann::json closed_open_source(const Dataset& dataset) {
    int64_t from_answer_type = 0;
    int64_t derived = 0;
    for (const auto& example : dataset.examples) {
        (closed_from_answer_type(example).has_value() ? from_answer_type : derived) += 1;
    }
    nlohmann::json source = {
        {"source", derived == 0 ? "answer_type" : (from_answer_type == 0 ? "derived_from_gold" : "mixed")},
        {"rows_with_answer_type", from_answer_type},
        {"rows_derived_from_gold", derived},
    };
    if (derived > 0) {
        source["note"] = "closed/open was derived for " + std::to_string(derived) + " of " +
                         std::to_string(dataset.examples.size()) +
                         " rows because their records have no answer_type: a row is closed exactly when its gold "
                         "answer is a yes/no answer";
    }
    return source;
}

nlohmann::json slice_blocks(const Calls& calls, const std::map<std::string, const Example*>& rows,
                            const std::vector<ShortAnswerSlice>& slices) {
    nlohmann::json out = nlohmann::json::object();
    for (const auto& slice : slices) {
        nlohmann::json values = nlohmann::json::object();
        for (const auto& [value, group] : group_by_slice(calls, rows, slice.definition)) {
            values[value] = short_answer_metrics(group);
        }
        out[slice.definition.name] = values;
    }
    return out;
}

}  // namespace

nlohmann::json summarize_short_answer(const nlohmann::json& manifest, const Dataset& dataset,
                                      const std::vector<Prediction>& predictions) {
    const auto rows = index_by_id(dataset.examples);
    const auto slices = short_answer_slices(dataset.options.benchmark);

    std::set<std::string> languages;
    for (const auto& example : dataset.examples) {
        languages.insert(question_language(example));
    }

    // mode -> language -> calls; languages are kept apart from here on.
    std::map<std::string, std::map<std::string, Calls>> calls;
    for (const auto& prediction : predictions) {
        const auto row = rows.find(prediction.id);
        if (row == rows.end()) {
            throw Error("prediction id=" + prediction.id + " (" + mode_name(prediction.mode) +
                        ") is not among the evaluated rows; the predictions and the dataset do not belong together");
        }
        calls[mode_name(prediction.mode)][question_language(*row->second)].push_back(&prediction);
    }

    nlohmann::json metrics = nlohmann::json::object();
    nlohmann::json slice_results = nlohmann::json::object();
    for (const auto& mode_value : manifest.at("protocol").at("modes")) {
        const std::string mode = mode_value.get<std::string>();
        for (const auto& language : languages) {
            const Calls& group = calls[mode][language];
            metrics[mode][language] = short_answer_metrics(group);
            slice_results[mode][language] = slice_blocks(group, rows, slices);
        }
    }

    nlohmann::json slice_definitions = nlohmann::json::array();
    for (const auto& slice : slices) {
        slice_definitions.push_back({{"name", slice.definition.name}, {"description", slice.description}});
    }
    return {
        {"languages", languages},
        {"metrics", metrics},
        {"slices", slice_results},
        {"metric_definitions", manifest.at("metric_definitions")},
        {"slice_definitions", slice_definitions},
        {"closed_open", closed_open_source(dataset)},
    };
}

}  // namespace medvlm
