#include "run/eval_runner.hpp"

#include <chrono>
#include <fstream>

#include <spdlog/spdlog.h>

#include "core/error.hpp"
#include "core/files.hpp"
#include "prompts/shuffle.hpp"
#include "report/report_markdown.hpp"
#include "report/summary.hpp"
#include "run/call_plan.hpp"
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

void prepare_run_dir(const std::filesystem::path& out_dir) {
    std::error_code ec;
    if (std::filesystem::exists(out_dir, ec) && !std::filesystem::is_empty(out_dir, ec)) {
        throw InputError(out_dir.string() + ": run directory already exists and is not empty; choose a new --out");
    }
    std::filesystem::create_directories(out_dir, ec);
    if (ec) {
        throw InputError(out_dir.string() + ": cannot create the run directory (" + ec.message() + ")");
    }
}

class ProgressLog {
public:
    explicit ProgressLog(size_t total) : total_(total), start_(std::chrono::steady_clock::now()) {}

    void step(size_t done) {
        const auto now = std::chrono::steady_clock::now();
        if (done != total_ && now - last_ < std::chrono::seconds(10)) {
            return;
        }
        last_ = now;
        const double seconds = std::chrono::duration<double>(now - start_).count();
        const double rate = seconds > 0 ? static_cast<double>(done) / seconds : 0;
        const double eta = rate > 0 ? static_cast<double>(total_ - done) / rate : 0;
        spdlog::info("{}/{} calls, {:.2f} calls/s, ETA {:.0f} s", done, total_, rate, eta);
    }

private:
    size_t total_;
    std::chrono::steady_clock::time_point start_;
    std::chrono::steady_clock::time_point last_{};
};

}  // namespace

EvalOutcome run_eval(const EvalConfig& config, const Dataset& dataset, Engine& engine) {
    check_config(config, dataset, engine);
    prepare_run_dir(config.out_dir);

    EvalOutcome outcome;
    outcome.out_dir = config.out_dir;
    outcome.manifest = build_manifest(config, dataset, engine.describe());
    write_json_atomic(config.out_dir / "manifest.json", outcome.manifest);

    const std::vector<PlannedCall> plan = plan_calls(config, dataset);
    const size_t batch_size = std::max<size_t>(1, engine.preferred_batch_size());
    ProgressLog progress(plan.size());
    std::ofstream predictions_file(config.out_dir / "predictions.jsonl", std::ios::app);
    std::vector<Prediction> predictions;
    predictions.reserve(plan.size());

    for (size_t start = 0; start < plan.size(); start += batch_size) {
        const size_t end = std::min(plan.size(), start + batch_size);
        std::vector<EngineRequest> requests;
        for (size_t i = start; i < end; ++i) {
            requests.push_back(plan[i].request);
        }
        const std::vector<EngineResult> results = engine.run_batch(requests);
        for (size_t i = start; i < end; ++i) {
            const PlannedCall& call = plan[i];
            const EngineResult& result = results[i - start];
            if (!result.ok) {
                spdlog::warn("{} ({}, rotation {}): call failed: {}", call.example->id, mode_name(call.mode),
                             call.rotation, result.error);
            }
            const CallContext context{call.example, call.mode, call.rotation, &call.prompt, call.image_source,
                                      &call.request};
            predictions.push_back(score_call(context, result, config.normalize));
            predictions_file << predictions.back().to_json().dump() << '\n';
        }
        predictions_file.flush();
        progress.step(predictions.size());
    }
    if (!predictions_file) {
        throw Error((config.out_dir / "predictions.jsonl").string() + ": write failed (disk full?)");
    }

    outcome.summary = build_summary(outcome.manifest, dataset, predictions);
    write_json_atomic(config.out_dir / "summary.json", outcome.summary);
    write_file_atomic(config.out_dir / "report.md", render_run_report(outcome.manifest, outcome.summary));
    return outcome;
}

}  // namespace medvlm
