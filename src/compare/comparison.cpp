#include "compare/comparison.hpp"

#include <chrono>
#include <set>

#include <fmt/chrono.h>
#include <fmt/format.h>

#include "compare/harness_check.hpp"
#include "compare/run_pairing.hpp"
#include "core/error.hpp"
#include "core/files.hpp"
#include "core/version.hpp"
#include "report/call_metrics.hpp"
#include "report/report_comparison.hpp"
#include "report/summary_multiple_choice.hpp"
#include "report/summary_short_answer.hpp"

namespace medvlm {
namespace {

namespace fs = std::filesystem;
using Calls = std::vector<const Prediction*>;

const std::string kImageText = "image+text";

bool multiple_choice(const ComparedRun& run) { return run.manifest.at("task") == "multiple-choice"; }

// The first run's examples, then those only later runs have, so every
// prediction of every run has an image cluster.
ExampleIndex combined_index(const std::vector<ComparedRun>& runs) {
    std::vector<ExampleInfo> examples = runs.front().examples.examples();
    std::set<std::string> seen;
    for (const auto& example : examples) {
        seen.insert(example.id);
    }
    for (size_t i = 1; i < runs.size(); ++i) {
        for (const auto& example : runs[i].examples.examples()) {
            if (seen.insert(example.id).second) {
                examples.push_back(example);
            }
        }
    }
    return ExampleIndex(std::move(examples), runs.front().examples.slice_names());
}

// The calls of one mode, in key order, keeping only those whose example
// passes `keep`.
template <typename Keep>
Calls select_calls(const ComparedRun& run, const std::string& mode, const ExampleIndex& index, Keep keep) {
    Calls calls;
    for (const auto& [key, prediction] : run.predictions) {
        if (mode_name(prediction.mode) != mode) {
            continue;
        }
        const ExampleInfo* example = index.find(prediction.id);
        if (example == nullptr) {
            throw InputError(run.dir.string() + ": prediction " + key + " belongs to no example in " +
                             kExampleIndexFile + "; write the run's files again with this medvlm version");
        }
        if (keep(*example)) {
            calls.push_back(&prediction);
        }
    }
    return calls;
}

Calls all_calls(const ComparedRun& run, const std::string& mode, const ExampleIndex& index) {
    return select_calls(run, mode, index, [](const ExampleInfo&) { return true; });
}

Calls calls_in_language(const ComparedRun& run, const std::string& mode, const ExampleIndex& index,
                        const std::string& language) {
    return select_calls(run, mode, index, [&](const ExampleInfo& example) { return example.language == language; });
}

Calls calls_in_slice(const ComparedRun& run, const std::string& mode, const ExampleIndex& index,
                     const std::string& definition, const std::string& value, const std::string& language) {
    return select_calls(run, mode, index, [&](const ExampleInfo& example) {
        if (!language.empty() && example.language != language) {
            return false;
        }
        const auto values = example.slices.find(definition);
        return values != example.slices.end() &&
               std::find(values->second.begin(), values->second.end(), value) != values->second.end();
    });
}

std::vector<std::string> languages_of(const ExampleIndex& index) {
    std::set<std::string> languages;
    for (const auto& example : index.examples()) {
        languages.insert(example.language);
    }
    return {languages.begin(), languages.end()};
}

// Slice definition -> its values over the indexed examples, sorted.
std::map<std::string, std::set<std::string>> slice_values(const ExampleIndex& index) {
    std::map<std::string, std::set<std::string>> values;
    for (const auto& example : index.examples()) {
        for (const auto& [definition, example_values] : example.slices) {
            values[definition].insert(example_values.begin(), example_values.end());
        }
    }
    return values;
}

struct Entry {
    std::string name;
    std::string kind;
    std::string minuend;
    std::string subtrahend;
    std::string mode;
    std::string language;
    std::string metric;
    nlohmann::json slice = nullptr;
    bool proportion = true;
};

nlohmann::json entry_json(const Entry& entry, nlohmann::json result) {
    return {{"name", entry.name},
            {"kind", entry.kind},
            {"minuend", entry.minuend},
            {"subtrahend", entry.subtrahend},
            {"mode", entry.mode},
            {"language", entry.language.empty() ? nlohmann::json(nullptr) : nlohmann::json(entry.language)},
            {"metric", entry.metric},
            {"slice", entry.slice},
            {"proportion", entry.proportion},
            {"result", std::move(result)}};
}

void add_within_run(const ComparedRun& run, const ExampleIndex& index, const StatisticsContext& statistics,
                    nlohmann::json& out) {
    const auto modes = run.manifest.at("protocol").at("modes").get<std::vector<std::string>>();
    const auto has = [&](const std::string& mode) { return std::find(modes.begin(), modes.end(), mode) != modes.end(); };
    for (const std::string subtrahend : {"text-only", "shuffled-image"}) {
        if (!has(kImageText) || !has(subtrahend)) {
            continue;
        }
        const std::string name = run.label + ": image+text minus " + subtrahend;
        if (multiple_choice(run)) {
            const Entry entry{name + ", accuracy (original order)", "within run", kImageText, subtrahend, kImageText,
                              "", "accuracy"};
            out.push_back(entry_json(entry, compare_modes_multiple_choice(all_calls(run, kImageText, index),
                                                                          all_calls(run, subtrahend, index), statistics)));
            continue;
        }
        for (const auto& language : languages_of(run.examples)) {
            const nlohmann::json results =
                compare_short_answer_calls(calls_in_language(run, kImageText, index, language),
                                           calls_in_language(run, subtrahend, index, language), statistics);
            for (const auto& metric : short_answer_comparison_metrics()) {
                const Entry entry{name + ", " + language + ", " + metric.name, "within run", kImageText, subtrahend,
                                  kImageText, language, metric.name, nullptr, metric.binary};
                out.push_back(entry_json(entry, results.at(metric.name)));
            }
        }
    }
}

void add_between_runs_multiple_choice(const ComparedRun& reference, const ComparedRun& other, const ExampleIndex& index,
                                      const StatisticsContext& statistics, nlohmann::json& out) {
    const std::string prefix = other.label + " minus " + reference.label + ": ";
    const int rotations = reference.manifest.at("protocol").at("rotations").get<int>();
    for (const auto& mode : common_modes(reference, other)) {
        const Calls mine = all_calls(other, mode, index);
        const Calls theirs = all_calls(reference, mode, index);
        const Entry original{prefix + mode + ", accuracy (original order)", "between runs", other.label,
                             reference.label, mode, "", "accuracy"};
        out.push_back(entry_json(original, compare_modes_multiple_choice(mine, theirs, statistics)));
        if (rotations > 1) {
            const Entry pooled{prefix + mode + ", accuracy (all rotations)", "between runs", other.label,
                               reference.label, mode, "", "accuracy_all_rotations"};
            out.push_back(entry_json(pooled, paired_json(pair_calls(mine, theirs, multiple_choice_accuracy()), statistics)));
        }
        for (const auto& [definition, values] : slice_values(index)) {
            for (const auto& value : values) {
                const Entry slice{prefix + mode + ", accuracy (original order), " + definition + " = " + value,
                                  "between runs, slice", other.label, reference.label, mode, "", "accuracy",
                                  {{"definition", definition}, {"value", value}}};
                out.push_back(entry_json(
                    slice, compare_modes_multiple_choice(calls_in_slice(other, mode, index, definition, value, ""),
                                                         calls_in_slice(reference, mode, index, definition, value, ""),
                                                         statistics)));
            }
        }
    }
}

void add_between_runs_short_answer(const ComparedRun& reference, const ComparedRun& other, const ExampleIndex& index,
                                   const StatisticsContext& statistics, nlohmann::json& out) {
    const std::string prefix = other.label + " minus " + reference.label + ": ";
    const CallMetric exact_match = short_answer_comparison_metrics().front();
    for (const auto& mode : common_modes(reference, other)) {
        for (const auto& language : languages_of(index)) {
            const nlohmann::json results =
                compare_short_answer_calls(calls_in_language(other, mode, index, language),
                                           calls_in_language(reference, mode, index, language), statistics);
            for (const auto& metric : short_answer_comparison_metrics()) {
                const Entry entry{prefix + mode + ", " + language + ", " + metric.name, "between runs", other.label,
                                  reference.label, mode, language, metric.name, nullptr, metric.binary};
                out.push_back(entry_json(entry, results.at(metric.name)));
            }
            for (const auto& [definition, values] : slice_values(index)) {
                for (const auto& value : values) {
                    const Calls mine = calls_in_slice(other, mode, index, definition, value, language);
                    const Calls theirs = calls_in_slice(reference, mode, index, definition, value, language);
                    if (mine.empty() && theirs.empty()) {
                        continue;
                    }
                    const Entry slice{prefix + mode + ", " + language + ", exact_match, " + definition + " = " + value,
                                      "between runs, slice", other.label, reference.label, mode, language,
                                      exact_match.name, {{"definition", definition}, {"value", value}}, true};
                    out.push_back(entry_json(slice, paired_json(pair_calls(mine, theirs, exact_match), statistics)));
                }
            }
        }
    }
}

nlohmann::json run_json(const ComparedRun& run) {
    return {{"label", run.label},
            {"dir", run.dir.string()},
            {"manifest_hash", run.manifest_hash},
            {"manifest", run.manifest},
            {"summary", run.summary}};
}

std::string created_at() {
    const auto now = std::chrono::system_clock::to_time_t(std::chrono::system_clock::now());
    return fmt::format("{:%Y-%m-%dT%H:%M:%SZ}", fmt::gmtime(now));
}

fs::path prepare_out_dir(const fs::path& out_dir, const std::vector<fs::path>& runs) {
    std::error_code ec;
    const fs::path canonical_out = fs::weakly_canonical(out_dir, ec);
    for (const auto& run : runs) {
        if (fs::weakly_canonical(run, ec) == canonical_out) {
            throw InputError(out_dir.string() + ": --out names one of the runs to compare; choose a new directory");
        }
    }
    if (fs::exists(out_dir, ec)) {
        if (!fs::is_directory(out_dir, ec)) {
            throw InputError(out_dir.string() + ": --out names a file, not a directory; choose another --out");
        }
        const bool earlier_comparison = fs::exists(out_dir / kComparisonFile, ec);
        if (!fs::is_empty(out_dir, ec) && !earlier_comparison) {
            throw InputError(out_dir.string() + ": the directory exists and holds no comparison.json; choose a new or "
                                                "empty --out");
        }
    }
    fs::create_directories(out_dir, ec);
    if (ec) {
        throw InputError(out_dir.string() + ": cannot create the output directory (" + ec.message() + ")");
    }
    return out_dir;
}

}  // namespace

nlohmann::json build_comparison(const std::vector<ComparedRun>& runs, bool allow_different_harness,
                                const StatisticsSettings& settings) {
    if (runs.size() < 2) {
        throw InputError("medvlm compare needs at least two run directories");
    }
    const ComparedRun& reference = runs.front();

    nlohmann::json harness_differences_json = nlohmann::json::array();
    std::string listing;
    for (size_t i = 1; i < runs.size(); ++i) {
        auto differences = harness_differences(reference.manifest, reference.label, runs[i].manifest, runs[i].label);
        const auto images = image_differences(reference.examples, reference.label, runs[i].examples, runs[i].label);
        differences.insert(differences.end(), images.begin(), images.end());
        if (differences.empty()) {
            continue;
        }
        harness_differences_json.push_back({{"runs", {reference.label, runs[i].label}}, {"differences", differences}});
        listing += "\n" + runs[i].label + " (" + runs[i].dir.string() + ") against " + reference.label + " (" +
                   reference.dir.string() + "):";
        for (const auto& difference : differences) {
            listing += "\n  - " + difference;
        }
    }
    const bool same_harness = harness_differences_json.empty();
    if (!same_harness && !allow_different_harness) {
        throw InputError("the runs were not made with the same harness, so their scores cannot be compared:" + listing +
                         "\nEvaluate the models with the same data, images, prompts, decoding, extractor and metric "
                         "definitions, or pass --allow-different-harness to compare anyway with a warning on every "
                         "output.");
    }

    const ExampleIndex index = combined_index(runs);
    const StatisticsContext statistics(index, settings);

    nlohmann::json comparisons = nlohmann::json::array();
    for (size_t i = 1; i < runs.size(); ++i) {
        if (multiple_choice(reference)) {
            add_between_runs_multiple_choice(reference, runs[i], index, statistics, comparisons);
        } else {
            add_between_runs_short_answer(reference, runs[i], index, statistics, comparisons);
        }
    }
    for (const auto& run : runs) {
        add_within_run(run, index, statistics, comparisons);
    }

    nlohmann::json pairing = nlohmann::json::array();
    nlohmann::json run_list = nlohmann::json::array();
    for (size_t i = 0; i < runs.size(); ++i) {
        run_list.push_back(run_json(runs[i]));
        if (i > 0) {
            pairing.push_back(pair_runs(reference, runs[i]).to_json());
        }
    }

    nlohmann::json comparison = {
        {"schema", kComparisonSchema},
        {"created_at", created_at()},
        {"medvlm", {{"version", medvlm_version()}, {"git_commit", medvlm_git_commit()}}},
        {"harness",
         {{"same", same_harness},
          {"allowed_different", allow_different_harness},
          {"differences", harness_differences_json}}},
        {"statistics", statistics.to_json()},
        {"runs", run_list},
        {"pairing", pairing},
        {"comparisons", comparisons},
    };
    if (!same_harness) {
        comparison["warning"] = "WARNING: these runs differ in their harness (" + listing.substr(1) +
                                "), so a difference between them may come from the harness rather than the model.";
    }
    return comparison;
}

std::string comparison_json_text(const nlohmann::json& comparison) {
    nlohmann::ordered_json ordered;
    if (comparison.contains("warning")) {
        ordered["warning"] = comparison.at("warning");
    }
    for (const auto& [key, value] : comparison.items()) {
        if (key != "warning") {
            ordered[key] = value;
        }
    }
    return ordered.dump(2) + "\n";
}

CompareOutcome compare_runs(const CompareOptions& options) {
    if (options.runs.size() < 2) {
        throw InputError("medvlm compare needs at least two run directories; got " + std::to_string(options.runs.size()));
    }
    std::set<fs::path> seen;
    std::vector<ComparedRun> runs;
    for (size_t i = 0; i < options.runs.size(); ++i) {
        std::error_code ec;
        if (!seen.insert(fs::weakly_canonical(options.runs[i], ec)).second) {
            throw InputError(options.runs[i].string() + ": named twice in the runs to compare");
        }
        runs.push_back(load_compared_run(options.runs[i], run_label(i)));
    }

    const nlohmann::json comparison = build_comparison(runs, options.allow_different_harness, options.statistics);
    const fs::path out_dir = prepare_out_dir(options.out_dir, options.runs);
    write_file_atomic(out_dir / kComparisonFile, comparison_json_text(comparison));
    write_file_atomic(out_dir / "report.md", render_comparison_markdown(comparison));
    write_file_atomic(out_dir / "report.html", render_comparison_html(comparison));
    return {out_dir, comparison};
}

}  // namespace medvlm
