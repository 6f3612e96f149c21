#include "train/trainer.hpp"

#include <chrono>
#include <cmath>
#include <numeric>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "core/error.hpp"
#include "core/files.hpp"
#include "core/random.hpp"
#include "core/sha256.hpp"
#include "core/version.hpp"
#include "train/checkpoint.hpp"
#include "train/lora_export.hpp"
#include "train/lora_optimizer.hpp"
#include "train/process_memory.hpp"
#include "train/training_records.hpp"
#include "train/training_session.hpp"
#include "train/validation_split.hpp"

namespace medvlm {
namespace {

using Clock = std::chrono::steady_clock;

double seconds_since(Clock::time_point start) {
    return std::chrono::duration<double>(Clock::now() - start).count();
}

std::string format_duration(double seconds) {
    const auto total = static_cast<int64_t>(std::llround(std::max(0.0, seconds)));
    return fmt::format("{}:{:02}:{:02}", total / 3600, (total / 60) % 60, total % 60);
}

TrainOptions with_defaults(TrainOptions options) {
    if (options.variant == Variant::C) {
        if (options.late_vision_blocks == 0) {
            options.late_vision_blocks = kDefaultLateVisionBlocks;
        }
    } else if (options.late_vision_blocks != 0) {
        throw InputError("--late-vision-blocks applies to variant C only");
    }
    if (options.epochs < 1) {
        throw InputError("--epochs must be at least 1, got " + std::to_string(options.epochs));
    }
    if (options.cache_dir.empty()) {
        options.cache_dir = options.out_dir / "vision-cache";
    }
    return options;
}

// The settings a resumed run must share with the run that wrote the
// checkpoint; anything else would silently train a different model.
nlohmann::json fingerprint(const TrainOptions& options, const TrainingSession& session,
                           const nlohmann::json& data_files) {
    nlohmann::json hashes = nlohmann::json::array();
    for (const auto& file : data_files) {
        hashes.push_back(file.at("sha256"));
    }
    return {
        {"variant", variant_name(options.variant)},
        {"rank", options.rank},
        {"alpha", options.alpha},
        {"late_vision_blocks", options.late_vision_blocks},
        {"learning_rate", options.learning_rate},
        {"weight_decay", options.weight_decay},
        {"validation_fraction", options.validation_fraction},
        {"seed", options.seed},
        {"model_sha256", session.model_sha256()},
        {"mmproj_sha256", session.mmproj_sha256()},
        {"chat_template_sha256", sha256_hex(session.chat_template())},
        {"data_sha256", hashes},
    };
}

void log_memory(const char* phase) {
    const ProcessMemory memory = read_process_memory();
    spdlog::debug("memory after {}: {:.0f} MB resident, {:.0f} MB peak", phase, memory.resident_bytes / 1048576.0,
                  memory.peak_bytes / 1048576.0);
}

std::vector<size_t> epoch_order(const std::vector<size_t>& indices, uint64_t seed, int epoch) {
    std::vector<size_t> order = indices;
    SplitMix64 random(seed ^ (0x5851F42D4C957F2Dull * static_cast<uint64_t>(epoch + 1)));
    for (size_t i = order.size(); i > 1; --i) {
        std::swap(order[i - 1], order[random.below(i)]);
    }
    return order;
}

double validation_loss(TrainingSession& session, const std::vector<TokenizedSample>& samples,
                       const std::vector<size_t>& indices) {
    double total = 0;
    for (const size_t index : indices) {
        total += session.forward(samples[index]).loss;
    }
    return total / static_cast<double>(indices.size());
}

nlohmann::json file_entry(const std::filesystem::path& path) {
    return {{"path", std::filesystem::absolute(path).string()}, {"sha256", sha256_file(path)}};
}

}  // namespace

TrainOutcome run_training(const TrainOptions& requested) {
    const TrainOptions options = with_defaults(requested);
    const auto manifest_path = options.out_dir / "train.json";
    std::error_code ec;
    std::filesystem::create_directories(options.out_dir / "checkpoints", ec);
    if (ec) {
        throw InputError(options.out_dir.string() + ": cannot create the output directory (" + ec.message() + ")");
    }
    if (std::filesystem::exists(manifest_path) && options.resume.empty()) {
        throw InputError(options.out_dir.string() + " already contains a training run (train.json); choose a new --out "
                         "or continue it with --resume " + (options.out_dir / "checkpoints" / "epoch-N.gguf").string());
    }

    const TrainingData data = read_training_files(options.data);
    nlohmann::json data_files = nlohmann::json::array();
    for (const auto& file : data.files) {
        data_files.push_back({{"path", std::filesystem::absolute(file.path).string()},
                              {"sha256", file.sha256},
                              {"records", file.records}});
    }

    SessionOptions session_options;
    session_options.model = options.model;
    session_options.mmproj = options.mmproj;
    session_options.variant = options.variant;
    session_options.late_vision_blocks = options.late_vision_blocks;
    session_options.rank = options.rank;
    session_options.alpha = options.alpha;
    session_options.seed = options.seed;
    session_options.threads = options.threads;
    session_options.chat_template = options.chat_template;
    session_options.cache_dir = options.cache_dir;
    session_options.image_limits = options.image_limits;
    session_options.f32_backward_weights = options.f32_backward_weights;
    TrainingSession session(session_options);
    LoraOptimizer optimizer(session, AdamWSettings{options.learning_rate, 0.9f, 0.999f, 1e-8f, options.weight_decay});
    log_memory("loading the model");

    spdlog::info("tokenizing {} records from {} stage file(s)", data.records.size(), data.files.size());
    const std::vector<TokenizedSample> samples = session.prepare_samples(data.records);
    const SampleSplit split = split_by_image(samples, options.validation_fraction, options.seed);
    spdlog::info("{} training and {} validation samples (split by image)", split.train.size(), split.validation.size());
    log_memory("tokenizing");

    const auto cache_start = Clock::now();
    auto last_report = Clock::now();
    session.cache_vision(samples, [&](size_t done, size_t total) {
        if (done == total || seconds_since(last_report) >= options.progress_interval_seconds) {
            spdlog::info("vision cache: {}/{} tiles, {:.1f} s", done, total, seconds_since(cache_start));
            last_report = Clock::now();
        }
    });

    log_memory("caching vision activations");

    nlohmann::json validation_ids = nlohmann::json::array();
    for (const size_t index : split.validation) {
        validation_ids.push_back(samples[index].id);
    }
    nlohmann::json manifest = {
        {"status", "running"},
        {"medvlm_version", medvlm_version()},
        {"medvlm_commit", medvlm_git_commit()},
        {"llama_cpp_commit", MEDVLM_LLAMA_COMMIT},
        {"command", options.command_line},
        {"variant", variant_name(options.variant)},
        {"hyper_parameters",
         {{"rank", options.rank},
          {"alpha", options.alpha},
          {"lora_scale", session.lora().scale()},
          {"learning_rate", options.learning_rate},
          {"epochs", options.epochs},
          {"late_vision_blocks", options.late_vision_blocks},
          {"optimizer", "AdamW (ggml-opt)"},
          {"adamw", {{"beta1", 0.9}, {"beta2", 0.999}, {"epsilon", 1e-8}, {"weight_decay", options.weight_decay}}},
          {"samples_per_step", 1},
          {"validation_fraction", options.validation_fraction},
          {"seed", options.seed},
          {"threads", session.threads()},
          {"f32_backward_weights", options.f32_backward_weights}}},
        {"model", {{"path", std::filesystem::absolute(options.model).string()}, {"sha256", session.model_sha256()}}},
        {"mmproj", {{"path", std::filesystem::absolute(options.mmproj).string()}, {"sha256", session.mmproj_sha256()}}},
        {"chat_template_sha256", sha256_hex(session.chat_template())},
        {"data", data_files},
        {"samples", {{"train", split.train.size()}, {"validation", split.validation.size()}}},
        {"validation_ids_sha256", sha256_hex(validation_ids.dump())},
        {"lora", {{"adapted_weights", session.lora().pairs().size()}, {"parameters", session.lora().parameter_count()}}},
        {"vision_cache", std::filesystem::absolute(options.cache_dir).string()},
        {"loss_definition",
         "mean cross-entropy (natural log) over a sample's answer tokens, the end-of-turn token included; prompt "
         "and image positions carry no loss. Epoch losses are means over samples; the training loss of an epoch "
         "is measured before each step's update"},
        {"epochs", nlohmann::json::array()},
        {"resumed_from", nullptr},
        {"outputs", nullptr},
    };
    const nlohmann::json run_fingerprint = fingerprint(options, session, data_files);
    manifest["fingerprint"] = run_fingerprint;

    int first_epoch = 1;
    if (!options.resume.empty()) {
        const Checkpoint checkpoint = read_checkpoint(options.resume);
        const nlohmann::json& saved = checkpoint.run.at("fingerprint");
        for (const auto& [key, value] : run_fingerprint.items()) {
            if (!saved.contains(key) || saved.at(key) != value) {
                throw InputError(options.resume.string() + ": the checkpoint was written with a different " + key +
                                 " (" + (saved.contains(key) ? saved.at(key).dump() : "none") + ", now " +
                                 value.dump() + "); resume with the same model, data and hyper-parameters");
            }
        }
        restore_parameters(checkpoint, session.lora());
        optimizer.restore(checkpoint.optimizer_steps, checkpoint.moments);
        manifest["epochs"] = checkpoint.run.at("epochs");
        manifest["resumed_from"] = std::filesystem::absolute(options.resume).string();
        first_epoch = checkpoint.epoch + 1;
        spdlog::info("resuming after epoch {} ({} optimizer steps) from {}", checkpoint.epoch, checkpoint.optimizer_steps,
                     options.resume.string());
        if (first_epoch > options.epochs) {
            throw InputError(options.resume.string() + " already completed epoch " + std::to_string(checkpoint.epoch) +
                             "; pass --epochs above that to train further");
        }
    }

    const size_t steps_per_epoch = split.train.size();
    const size_t steps_total = steps_per_epoch * static_cast<size_t>(options.epochs - first_epoch + 1);
    size_t steps_run = 0;
    const auto training_start = Clock::now();
    for (int epoch = first_epoch; epoch <= options.epochs; ++epoch) {
        const auto epoch_start = Clock::now();
        double loss_sum = 0;
        int64_t tokens = 0;
        last_report = Clock::now();
        const std::vector<size_t> order = epoch_order(split.train, options.seed, epoch);
        for (size_t i = 0; i < order.size(); ++i) {
            const TokenizedSample& sample = samples[order[i]];
            const double loss = optimizer.step(sample);
            if (!std::isfinite(loss)) {
                throw Error(fmt::format("epoch {} step {}: the loss of sample {} is {}; lower --lr and resume from the "
                                        "last checkpoint in {}",
                                        epoch, i + 1, sample.id, loss, (options.out_dir / "checkpoints").string()));
            }
            loss_sum += loss;
            tokens += static_cast<int64_t>(sample.token_ids.size());
            ++steps_run;
            if (i + 1 == order.size() || seconds_since(last_report) >= options.progress_interval_seconds) {
                const double elapsed = seconds_since(training_start);
                const double per_step = elapsed / static_cast<double>(steps_run);
                spdlog::info("epoch {}/{} step {}/{} loss {:.4f} (epoch mean {:.4f}) {:.0f} tokens/s ETA {}", epoch,
                             options.epochs, i + 1, order.size(), loss, loss_sum / static_cast<double>(i + 1),
                             static_cast<double>(tokens) / seconds_since(epoch_start),
                             format_duration(per_step * static_cast<double>(steps_total - steps_run)));
                last_report = Clock::now();
            }
        }

        log_memory("the epoch's steps");
        nlohmann::json record = {
            {"epoch", epoch},
            {"train_loss", loss_sum / static_cast<double>(order.size())},
            {"steps", order.size()},
            {"tokens", tokens},
            {"seconds", seconds_since(epoch_start)},
            {"validation_loss", nullptr},
        };
        if (!split.validation.empty()) {
            const double loss = validation_loss(session, samples, split.validation);
            record["validation_loss"] = loss;
            spdlog::info("epoch {}/{}: training loss {:.4f}, validation loss {:.4f} on {} samples", epoch, options.epochs,
                         record["train_loss"].get<double>(), loss, split.validation.size());
        } else {
            spdlog::info("epoch {}/{}: training loss {:.4f} (no validation split)", epoch, options.epochs,
                         record["train_loss"].get<double>());
        }
        manifest["epochs"].push_back(record);

        const auto checkpoint_path = options.out_dir / "checkpoints" / ("epoch-" + std::to_string(epoch) + ".gguf");
        write_checkpoint(checkpoint_path, session.lora(), optimizer, epoch, manifest);
        manifest["last_checkpoint"] = std::filesystem::absolute(checkpoint_path).string();
        write_json_atomic(manifest_path, manifest);
    }

    Provenance provenance = {
        {"variant", variant_name(options.variant)},
        {"rank", std::to_string(options.rank)},
        {"alpha", fmt::format("{}", options.alpha)},
        {"base_model_sha256", session.model_sha256()},
        {"base_mmproj_sha256", session.mmproj_sha256()},
        {"medvlm_commit", medvlm_git_commit()},
    };
    TrainOutcome outcome;
    outcome.adapter = options.out_dir / "adapter.gguf";
    write_lora_adapter(outcome.adapter, session.lora(), provenance);
    nlohmann::json outputs = {{"adapter", file_entry(outcome.adapter)}, {"mmproj", nullptr}};
    if (options.variant != Variant::A) {
        outcome.merged_mmproj = options.out_dir / "mmproj-merged.gguf";
        const size_t merged = write_merged_mmproj(outcome.merged_mmproj, session.mmproj_file(), session.lora(), provenance);
        session.load_trainable_weights();
        outputs["mmproj"] = file_entry(outcome.merged_mmproj);
        outputs["mmproj"]["merged_weights"] = merged;
    }
    outputs["eval_command"] = fmt::format("medvlm eval --model {} --mmproj {} --lora {} ...",
                                          std::filesystem::absolute(options.model).string(),
                                          std::filesystem::absolute(outcome.merged_mmproj.empty() ? options.mmproj
                                                                                                  : outcome.merged_mmproj)
                                              .string(),
                                          std::filesystem::absolute(outcome.adapter).string());
    manifest["outputs"] = outputs;
    manifest["status"] = "finished";
    manifest["optimizer_steps"] = optimizer.steps_done();
    manifest["peak_resident_bytes"] = read_process_memory().peak_bytes;
    write_json_atomic(manifest_path, manifest);

    outcome.manifest = manifest_path;
    outcome.manifest_json = manifest;
    spdlog::info("wrote {}{}", outcome.adapter.string(),
                 outcome.merged_mmproj.empty() ? "" : " and " + outcome.merged_mmproj.string());
    return outcome;
}

}  // namespace medvlm
