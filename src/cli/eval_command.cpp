#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "cli/commands.hpp"
#include "cli/dataset_options.hpp"
#include "core/error.hpp"
#include "data/stand_in_images.hpp"
#include "engine/llama_engine.hpp"
#include "engine/openai_engine.hpp"
#include "report/report_markdown.hpp"
#include "run/eval_runner.hpp"

namespace medvlm::cli {
namespace {

// Exit status of an eval whose summary marks the run invalid.
constexpr int kInvalidRunExitCode = 4;

struct EvalFlags {
    DatasetFlags dataset;
    std::string model;
    std::string mmproj;
    std::vector<std::string> lora;
    std::string modes = "image+text,text-only";
    int rotations = 1;
    std::string scoring = "generate";
    int max_new_tokens = 0;
    uint64_t seed = 0;
    std::string out;
    int ctx_size = 8192;
    int threads = 0;
    bool no_gpu = false;
    std::string chat_template;
    bool number_words = false;
    bool stand_in_images = false;
    std::string shard = "1/1";
    bool force_new = false;

    std::string engine = "llama";
    std::vector<std::string> endpoints;
    std::string model_name;
    int concurrency = 4;
    std::string api_key_env;
    double request_timeout = 300;
    int retries = 4;
};

// Options that only one engine reads; giving them to the other is an error
// rather than a silently ignored flag.
const std::vector<std::string> kLlamaOnlyFlags = {"--model", "--mmproj", "--lora", "--ctx-size",
                                                  "--threads", "--no-gpu", "--chat-template"};
const std::vector<std::string> kOpenAiOnlyFlags = {"--endpoint", "--model-name", "--concurrency",
                                                   "--api-key-env", "--request-timeout", "--retries"};

void reject_flags_of_other_engine(const CLI::App& command, const std::string& engine,
                                  const std::vector<std::string>& flags) {
    for (const auto& flag : flags) {
        if (command.count(flag) > 0) {
            throw InputError(flag + " does not apply to --engine " + engine);
        }
    }
}

std::unique_ptr<Engine> make_engine(const CLI::App& command, const EvalFlags& flags, const EvalConfig& config) {
    if (flags.engine == "openai") {
        reject_flags_of_other_engine(command, "openai", kLlamaOnlyFlags);
        OpenAiEngineOptions options;
        options.endpoints = flags.endpoints;
        options.model_name = flags.model_name;
        options.concurrency = flags.concurrency;
        options.api_key_env = flags.api_key_env;
        options.request_timeout_s = flags.request_timeout;
        options.retry.max_attempts = flags.retries + 1;
        options.image_limits = config.dataset.image_limits;
        return make_openai_engine(options);
    }

    reject_flags_of_other_engine(command, "llama", kOpenAiOnlyFlags);
    if (flags.model.empty()) {
        throw InputError("--engine llama needs --model, the language model GGUF");
    }
    LlamaEngineOptions options;
    options.model = flags.model;
    options.mmproj = flags.mmproj;
    for (const auto& path : flags.lora) {
        options.lora_adapters.emplace_back(path);
    }
    options.context_size = flags.ctx_size;
    options.threads = flags.threads;
    options.use_gpu = !flags.no_gpu;
    options.chat_template = flags.chat_template;
    options.image_limits = config.dataset.image_limits;
    return make_llama_engine(options);
}

}  // namespace

void register_eval(CLI::App& app) {
    auto* command = app.add_subcommand("eval", "Run a model on a benchmark and write RUN_DIR");
    auto flags = std::make_shared<EvalFlags>();
    add_dataset_flags(command, flags->dataset);
    command->add_option("--engine", flags->engine,
                        "llama (default): in-process llama.cpp; openai: an OpenAI-compatible chat-completions server")
        ->check(CLI::IsMember({"llama", "openai"}));
    command->add_option("--model", flags->model, "Language model GGUF (--engine llama)");
    command->add_option("--mmproj", flags->mmproj, "Multimodal projector GGUF (libmtmd; --engine llama)");
    command->add_option("--lora", flags->lora, "LoRA adapter GGUF to apply (repeatable; --engine llama)");
    command->add_option("--modes", flags->modes,
                        "Comma-separated ablation modes: text-only, image+text, shuffled-image, options-only, "
                        "image+options-only");
    command->add_option("--rotations", flags->rotations,
                        "Cyclic option orders per multiple-choice row (1 to the number of options)");
    command->add_option("--scoring", flags->scoring, "generate (default) or choice-logprob")
        ->check(CLI::IsMember({"generate", "choice-logprob"}));
    command->add_option("--max-new-tokens", flags->max_new_tokens,
                        "Generation limit in tokens (default 8 for multiple choice, 16 for short answers)");
    command->add_option("--seed", flags->seed, "Seed for shuffled-image pairing");
    command->add_option("--out", flags->out,
                        "Run directory: created when missing; a run with the same settings there is resumed")
        ->required();
    command->add_option("--shard", flags->shard,
                        "Run only shard i of n (1-based, for example 2/4): rows r with r mod n = i - 1");
    command->add_flag("--force-new", flags->force_new,
                      "When --out is in use, start over in a new directory next to it (RUN_DIR-2, ...)");
    command->add_option("--ctx-size", flags->ctx_size, "Context size in tokens")->check(CLI::PositiveNumber);
    command->add_option("--threads", flags->threads, "CPU threads (0: one per hardware thread)");
    command->add_flag("--no-gpu", flags->no_gpu, "Run on the CPU even when a GPU backend is available");
    command->add_option("--chat-template", flags->chat_template,
                        "llama.cpp built-in chat template name, overriding the model's own");
    command->add_flag("--number-words", flags->number_words,
                      "Short answers: map number words zero..twenty to digits before comparing");
    command->add_flag("--stand-in-images", flags->stand_in_images,
                      "The images under --image-root are generated stand-ins (medvlm make-stand-in-images); the run "
                      "is marked as such. Required when the folder contains the stand-in marker file");
    command->add_option("--endpoint", flags->endpoints,
                        "Base URL of an OpenAI-compatible API, such as http://127.0.0.1:8080/v1 (repeatable; "
                        "--engine openai)");
    command->add_option("--model-name", flags->model_name, "Model name sent to the server (--engine openai)");
    command->add_option("--concurrency", flags->concurrency,
                        "Requests in flight at once, across all endpoints (--engine openai; default 4)")
        ->check(CLI::PositiveNumber);
    command->add_option("--api-key-env", flags->api_key_env,
                        "Name of the environment variable holding the API key, sent as a Bearer token "
                        "(--engine openai)");
    command->add_option("--request-timeout", flags->request_timeout,
                        "Seconds one request may take before it is retried (--engine openai; default 300)")
        ->check(CLI::PositiveNumber);
    command->add_option("--retries", flags->retries,
                        "Retries per call after a connection error, timeout, HTTP 429 or 5xx (--engine openai; "
                        "default 4)")
        ->check(CLI::NonNegativeNumber);

    command->callback([command, flags] {
        EvalConfig config;
        config.dataset = to_dataset_options(flags->dataset);
        config.modes = parse_modes(flags->modes);
        config.rotations = flags->rotations;
        config.scoring = parse_scoring(flags->scoring);
        config.max_new_tokens = flags->max_new_tokens;
        config.seed = flags->seed;
        config.normalize.number_words = flags->number_words;
        config.out_dir = flags->out;
        config.dataset.stand_in_images = flags->stand_in_images;
        config.shard = parse_shard(flags->shard);
        config.force_new = flags->force_new;

        const Dataset dataset = load_dataset(config.dataset);
        if (dataset.stand_in_images && !flags->stand_in_images) {
            throw InputError(config.dataset.image_root.string() + " contains stand-in images (marker file " +
                             kStandInMarkerFile + "), not the benchmark's images; pass --stand-in-images to "
                             "evaluate on them knowingly, or point --image-root at the real images");
        }
        fmt::print("{}", dataset.telemetry.to_table());

        const auto engine = make_engine(*command, *flags, config);

        const EvalOutcome outcome = run_eval(config, dataset, *engine);
        fmt::print("\n{}", render_run_report(outcome.manifest, outcome.summary));
        fmt::print("Run written to {} ({} calls run now; {} of {} answered, {} failed, {} missing)\n",
                   outcome.out_dir.string(), outcome.calls_run, outcome.completeness.answered,
                   outcome.completeness.planned, outcome.completeness.failed,
                   outcome.completeness.missing_keys.size());
        if (!outcome.summary.at("valid").get<bool>()) {
            throw CLI::RuntimeError(kInvalidRunExitCode);
        }
    });
}

}  // namespace medvlm::cli
