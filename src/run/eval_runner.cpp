#include "run/eval_runner.hpp"

#include <algorithm>
#include <map>

#include <spdlog/spdlog.h>

#include "core/error.hpp"
#include "report/image_proof.hpp"
#include "run/call_plan.hpp"
#include "run/progress.hpp"
#include "run/run_directory.hpp"
#include "run/run_store.hpp"
#include "run/scorer.hpp"

namespace medvlm {
namespace {

void check_config(const EvalConfig& config, const Dataset& dataset, const Engine& engine) {
    if (dataset.examples.empty()) {
        throw InputError(config.dataset.data_file.string() + ": no rows to evaluate after filtering");
    }
    const bool multiple_choice = task_kind(config.dataset.benchmark) == TaskKind::MultipleChoice;
    const size_t options = multiple_choice ? dataset.examples.front().choices.size() : 1;
    if (config.rotations < 1 || static_cast<size_t>(config.rotations) > options) {
        throw InputError("--rotations must be between 1 and " + std::to_string(options) + " for " +
                         benchmark_name(config.dataset.benchmark) + ", not " + std::to_string(config.rotations));
    }
    if (config.scoring == Scoring::ChoiceLogprob) {
        if (!multiple_choice) {
            throw InputError("--scoring choice-logprob needs answer choices; " +
                             benchmark_name(config.dataset.benchmark) + " is a short-answer benchmark");
        }
        if (!engine.supports_choice_logprob()) {
            throw InputError("this engine cannot return log-probabilities, so --scoring choice-logprob is not "
                             "available; use --scoring generate");
        }
    }
    for (const auto mode : config.modes) {
        if (!multiple_choice && (mode == AblationMode::OptionsOnly || mode == AblationMode::ImageOptionsOnly)) {
            throw InputError("mode '" + mode_name(mode) + "' needs answer choices, but " +
                             benchmark_name(config.dataset.benchmark) + " is a short-answer benchmark");
        }
        if (!mode_sends_images(mode)) {
            continue;
        }
        for (const auto& example : dataset.examples) {
            if (example.images.empty()) {
                throw InputError(example.source + ": mode '" + mode_name(mode) +
                                 "' sends images but this row has none; a multimodal score over zero-image rows "
                                 "would be a text-only score");
            }
        }
    }
}

// A remote engine proves images arrived only by comparing prompt tokens
// with the text-only call of the same row (report/image_proof.hpp).
void check_image_proof_possible(const EvalConfig& config, const Engine& engine) {
    if (engine.reports_image_tokens()) {
        return;
    }
    const auto in_run = [&](AblationMode mode) {
        return std::find(config.modes.begin(), config.modes.end(), mode) != config.modes.end();
    };
    for (const auto mode : config.modes) {
        if (!mode_sends_images(mode)) {
            continue;
        }
        if (!in_run(AblationMode::TextOnly)) {
            throw InputError("mode '" + mode_name(mode) +
                             "' sends images, but this engine reports only the server's prompt tokens; add "
                             "text-only to --modes so the summary can check that images added prompt tokens");
        }
        if (!text_only_partner(mode) && !in_run(AblationMode::ImageText)) {
            throw InputError("mode '" + mode_name(mode) +
                             "' has no text-only partner with the same text; add image+text and text-only to "
                             "--modes so the summary can check that the server received the images");
        }
    }
}

// The calls of this shard, in plan order.
std::vector<const PlannedCall*> select_shard(const std::vector<PlannedCall>& plan, const Dataset& dataset,
                                             const ShardSpec& shard) {
    std::vector<const PlannedCall*> selected;
    for (const auto& call : plan) {
        const auto row = static_cast<size_t>(call.example - dataset.examples.data());
        if (shard.contains_row(row)) {
            selected.push_back(&call);
        }
    }
    return selected;
}

std::string key_of(const PlannedCall& call) { return prediction_key(call.example->id, call.mode, call.rotation); }

struct Session {
    size_t done = 0;    // calls committed, including earlier sessions
    size_t failed = 0;  // committed calls that failed, as stored now
    size_t run = 0;     // calls this session ran
};

void run_calls(const EvalConfig& config, const std::vector<const PlannedCall*>& todo, Engine& engine,
               RunStore& store, ProgressReporter& progress, Session& session) {
    const size_t batch_size = std::max<size_t>(1, engine.preferred_batch_size());
    for (size_t start = 0; start < todo.size(); start += batch_size) {
        const size_t end = std::min(todo.size(), start + batch_size);
        std::vector<EngineRequest> requests;
        for (size_t i = start; i < end; ++i) {
            requests.push_back(todo[i]->request);
        }
        const std::vector<EngineResult> results = engine.run_batch(requests);
        if (results.size() != requests.size()) {
            throw EngineError("the engine returned " + std::to_string(results.size()) + " results for " +
                              std::to_string(requests.size()) + " requests");
        }

        std::vector<Prediction> scored;
        for (size_t i = start; i < end; ++i) {
            const PlannedCall& call = *todo[i];
            const EngineResult& result = results[i - start];
            if (!result.ok) {
                progress.clear_line();
                spdlog::warn("{} ({}, rotation {}): call failed: {}", call.example->id, mode_name(call.mode),
                             call.rotation, result.error);
            }
            const CallContext context{call.example, call.mode, call.rotation, &call.prompt, call.image_source,
                                      &call.request};
            scored.push_back(score_call(context, result, config.normalize));
        }
        // A call counts as done only once its prediction is committed.
        store.commit(scored);
        for (const auto& prediction : scored) {
            session.done += 1;
            session.failed += prediction.ok ? 0 : 1;
        }
        session.run += scored.size();
        progress.update(session.done, session.failed);
    }
}

}  // namespace

EvalOutcome run_eval(const EvalConfig& config, const Dataset& dataset, Engine& engine) {
    check_config(config, dataset, engine);
    check_image_proof_possible(config, engine);
    const nlohmann::json manifest =
        build_manifest(config, dataset, engine.describe(), engine.describe_execution());
    OpenedRun opened = open_run_directory(config.out_dir, manifest, config.shard, config.force_new);

    const std::vector<PlannedCall> plan = plan_calls(config, dataset);
    const std::vector<const PlannedCall*> shard_plan = select_shard(plan, dataset, config.shard);
    std::vector<std::string> planned_keys;
    for (const PlannedCall* call : shard_plan) {
        planned_keys.push_back(key_of(*call));
    }

    const std::map<std::string, Prediction> stored = opened.store.load_predictions();
    const RunCompleteness before = check_completeness(planned_keys, stored, config.shard);
    std::vector<const PlannedCall*> todo;
    for (const PlannedCall* call : shard_plan) {
        const auto it = stored.find(key_of(*call));
        if (it == stored.end() || !it->second.ok) {
            todo.push_back(call);
        }
    }
    if (opened.resumed) {
        spdlog::info("resuming {}: {} of {} calls answered, {} failed (retrying), {} missing", opened.dir.string(),
                     before.answered, before.planned, before.failed, before.missing_keys.size());
    } else {
        spdlog::info("new run in {}{}: {} calls", opened.dir.string(),
                     config.shard.is_whole_run() ? "" : " (shard " + config.shard.to_string() + ")",
                     planned_keys.size());
    }

    Session session;
    session.done = before.answered;
    ProgressReporter progress(planned_keys.size(), before.answered, ProgressReporter::stderr_is_terminal());
    try {
        run_calls(config, todo, engine, opened.store, progress, session);
    } catch (const Error&) {
        progress.clear_line();
        spdlog::error("stopped after {} calls this session; every committed call is kept in {}; rerun the same "
                      "command to resume",
                      session.run, (opened.dir / kRunStoreFile).string());
        throw;
    }
    progress.finish();

    EvalOutcome outcome;
    outcome.out_dir = opened.dir;
    outcome.manifest = opened.manifest;
    outcome.resumed = opened.resumed;
    outcome.calls_run = session.run;
    const std::map<std::string, Prediction> final_predictions = opened.store.load_predictions();
    outcome.completeness = check_completeness(planned_keys, final_predictions, config.shard);
    outcome.summary = write_run_outputs(opened.dir, opened.manifest, dataset, planned_keys, final_predictions,
                                        outcome.completeness);
    if (outcome.completeness.failed > 0) {
        spdlog::warn("{} of {} calls failed and are recorded with their reasons; rerun the same command to retry "
                     "only those",
                     outcome.completeness.failed, outcome.completeness.planned);
    }
    return outcome;
}

}  // namespace medvlm
