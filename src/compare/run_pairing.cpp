#include "compare/run_pairing.hpp"

#include <algorithm>
#include <set>

namespace medvlm {
namespace {

std::vector<std::string> run_modes(const ComparedRun& run) {
    return run.manifest.at("protocol").at("modes").get<std::vector<std::string>>();
}

bool contains(const std::vector<std::string>& values, const std::string& value) {
    return std::find(values.begin(), values.end(), value) != values.end();
}

nlohmann::json listed(const std::vector<std::string>& values) {
    return {{"count", values.size()}, {"items", values}};
}

}  // namespace

bool RunPairing::complete() const {
    return modes_only_in_first.empty() && modes_only_in_second.empty() && examples_only_in_first.empty() &&
           examples_only_in_second.empty() && calls_only_in_first.empty() && calls_only_in_second.empty() &&
           failed_in_first.empty() && failed_in_second.empty();
}

nlohmann::json RunPairing::to_json() const {
    return {
        {"first", first},
        {"second", second},
        {"paired_calls", paired},
        {"complete", complete()},
        {"modes_only_in_first", modes_only_in_first},
        {"modes_only_in_second", modes_only_in_second},
        {"examples_only_in_first", listed(examples_only_in_first)},
        {"examples_only_in_second", listed(examples_only_in_second)},
        {"calls_only_in_first", listed(calls_only_in_first)},
        {"calls_only_in_second", listed(calls_only_in_second)},
        {"failed_in_first", listed(failed_in_first)},
        {"failed_in_second", listed(failed_in_second)},
    };
}

std::vector<std::string> common_modes(const ComparedRun& first, const ComparedRun& second) {
    std::vector<std::string> modes;
    const auto second_modes = run_modes(second);
    for (const auto& mode : run_modes(first)) {
        if (contains(second_modes, mode)) {
            modes.push_back(mode);
        }
    }
    return modes;
}

RunPairing pair_runs(const ComparedRun& first, const ComparedRun& second) {
    RunPairing pairing;
    pairing.first = first.label;
    pairing.second = second.label;

    const auto first_modes = run_modes(first);
    const auto second_modes = run_modes(second);
    for (const auto& mode : first_modes) {
        if (!contains(second_modes, mode)) {
            pairing.modes_only_in_first.push_back(mode);
        }
    }
    for (const auto& mode : second_modes) {
        if (!contains(first_modes, mode)) {
            pairing.modes_only_in_second.push_back(mode);
        }
    }

    for (const auto& example : first.examples.examples()) {
        if (second.examples.find(example.id) == nullptr) {
            pairing.examples_only_in_first.push_back(example.id);
        }
    }
    for (const auto& example : second.examples.examples()) {
        if (first.examples.find(example.id) == nullptr) {
            pairing.examples_only_in_second.push_back(example.id);
        }
    }

    const auto common = common_modes(first, second);
    const auto in_common_mode = [&](const Prediction& p) { return contains(common, mode_name(p.mode)); };
    for (const auto& [key, prediction] : first.predictions) {
        if (!in_common_mode(prediction)) {
            continue;
        }
        const auto other = second.predictions.find(key);
        if (other == second.predictions.end()) {
            pairing.calls_only_in_first.push_back(key);
            continue;
        }
        if (!prediction.ok) {
            pairing.failed_in_first.push_back(key);
        }
        if (!other->second.ok) {
            pairing.failed_in_second.push_back(key);
        }
        pairing.paired += prediction.ok && other->second.ok ? 1 : 0;
    }
    for (const auto& [key, prediction] : second.predictions) {
        if (in_common_mode(prediction) && !first.predictions.contains(key)) {
            pairing.calls_only_in_second.push_back(key);
        }
    }
    return pairing;
}

}  // namespace medvlm
