#include "run/eval_runner.hpp"

#include <chrono>
#include <fstream>

#include <spdlog/spdlog.h>

#include "core/error.hpp"
#include "core/files.hpp"
#include "prompts/shuffle.hpp"
#include "report/report_markdown.hpp"
#include "report/summary.hpp"
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

std::vector<EngineImage> images_of(const Example& example) {
    std::vector<EngineImage> images;
    for (const auto& image : example.images) {
        images.push_back({image.path, image.sha256});
    }
    return images;
}

}  // namespace

EvalOutcome run_eval(const EvalConfig& config, const Dataset& dataset, Engine& engine) {
    check_config(config, dataset, engine);
    prepare_run_dir(config.out_dir);

    EvalOutcome outcome;
    outcome.out_dir = config.out_dir;
    outcome.manifest = build_manifest(config, dataset, engine.describe());
    write_json_atomic(config.out_dir / "manifest.json", outcome.manifest);

    const auto& examples = dataset.examples;
    std::vector<size_t> partners;
    for (const auto mode : config.modes) {
        if (mode == AblationMode::ShuffledImage) {
            partners = shuffled_image_partners(examples, config.seed);
        }
    }

    const bool prefill = config.scoring == Scoring::ChoiceLogprob;
    const int max_new_tokens = effective_max_new_tokens(config);
    const size_t total = examples.size() * config.modes.size() * static_cast<size_t>(config.rotations);
    ProgressLog progress(total);
    std::ofstream predictions_file(config.out_dir / "predictions.jsonl", std::ios::app);
    std::vector<Prediction> predictions;
    predictions.reserve(total);

    for (size_t row = 0; row < examples.size(); ++row) {
        const Example& example = examples[row];
        for (const auto mode : config.modes) {
            for (int rotation = 0; rotation < config.rotations; ++rotation) {
                const BuiltPrompt prompt = build_prompt(example, mode, rotation, config.prompts, prefill);
                const Example* image_source = nullptr;
                if (mode == AblationMode::ShuffledImage) {
                    image_source = &examples[partners[row]];
                } else if (mode_sends_images(mode)) {
                    image_source = &example;
                }

                EngineRequest request;
                request.system = prompt.system;
                request.user_text = prompt.user_text;
                request.assistant_prefix = prompt.assistant_prefix;
                request.max_new_tokens = prefill ? 0 : max_new_tokens;
                request.scoring = config.scoring;
                request.choice_letters = prompt.letters;
                if (image_source != nullptr) {
                    request.images = images_of(*image_source);
                }

                const EngineResult result = engine.run(request);
                if (!result.ok) {
                    spdlog::warn("{} ({}, rotation {}): call failed: {}", example.id, mode_name(mode), rotation,
                                 result.error);
                }
                CallContext call{&example, mode, rotation, &prompt, image_source, &request};
                predictions.push_back(score_call(call, result, config.normalize));
                predictions_file << predictions.back().to_json().dump() << '\n';
                predictions_file.flush();
                progress.step(predictions.size());
            }
        }
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
