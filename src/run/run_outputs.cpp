#include "run/run_outputs.hpp"

#include <algorithm>
#include <set>

#include "core/error.hpp"
#include "core/files.hpp"
#include "report/report_markdown.hpp"
#include "report/summary.hpp"

namespace medvlm {
namespace {

constexpr size_t kListedKeys = 20;

nlohmann::json first_keys(const std::vector<std::string>& keys) {
    return std::vector<std::string>(keys.begin(), keys.begin() + static_cast<std::ptrdiff_t>(
                                                                      std::min(keys.size(), kListedKeys)));
}

}  // namespace

nlohmann::json RunCompleteness::to_json() const {
    return {
        {"shard", shard.to_string()},
        {"planned", planned},
        {"answered", answered},
        {"failed", failed},
        {"missing", missing_keys.size()},
        {"complete", complete()},
        {"missing_keys", first_keys(missing_keys)},
        {"failed_keys", first_keys(failed_keys)},
    };
}

RunCompleteness check_completeness(const std::vector<std::string>& planned_keys,
                                   const std::map<std::string, Prediction>& stored, const ShardSpec& shard) {
    RunCompleteness completeness;
    completeness.shard = shard;
    completeness.planned = planned_keys.size();
    const std::set<std::string> planned(planned_keys.begin(), planned_keys.end());
    for (const auto& [key, prediction] : stored) {
        if (planned.count(key) == 0) {
            throw Error("the run store contains call " + key +
                        ", which this run's plan does not contain; the store does not belong to this run");
        }
    }
    for (const auto& key : planned_keys) {
        const auto it = stored.find(key);
        if (it == stored.end()) {
            completeness.missing_keys.push_back(key);
        } else if (it->second.ok) {
            completeness.answered += 1;
        } else {
            completeness.failed += 1;
            completeness.failed_keys.push_back(key);
        }
    }
    return completeness;
}

nlohmann::json write_run_outputs(const std::filesystem::path& dir, const nlohmann::json& manifest,
                                 const Dataset& dataset, const std::vector<std::string>& planned_keys,
                                 const std::map<std::string, Prediction>& stored,
                                 const RunCompleteness& completeness) {
    std::vector<Prediction> predictions;
    std::string lines;
    for (const auto& key : planned_keys) {
        const auto it = stored.find(key);
        if (it != stored.end()) {
            predictions.push_back(it->second);
            lines += it->second.to_json().dump() + "\n";
        }
    }
    write_json_atomic(dir / "manifest.json", manifest);
    write_file_atomic(dir / "predictions.jsonl", lines);

    nlohmann::json summary = build_summary(manifest, dataset, predictions);
    summary["completeness"] = completeness.to_json();
    write_json_atomic(dir / "summary.json", summary);
    write_file_atomic(dir / "report.md", render_run_report(manifest, summary));
    return summary;
}

}  // namespace medvlm
