#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "cli/commands.hpp"
#include "cli/dataset_options.hpp"
#include "core/error.hpp"
#include "data/stand_in_images.hpp"
#include "engine/llama_engine.hpp"
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
};

}  // namespace

void register_eval(CLI::App& app) {
    auto* command = app.add_subcommand("eval", "Run a model on a benchmark and write RUN_DIR");
    auto flags = std::make_shared<EvalFlags>();
    add_dataset_flags(command, flags->dataset);
    command->add_option("--model", flags->model, "Language model GGUF")->required();
    command->add_option("--mmproj", flags->mmproj, "Multimodal projector GGUF (libmtmd)");
    command->add_option("--lora", flags->lora, "LoRA adapter GGUF to apply (repeatable)");
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
    command->add_option("--out", flags->out, "Run directory to create")->required();
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

    command->callback([flags] {
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

        const Dataset dataset = load_dataset(config.dataset);
        if (dataset.stand_in_images && !flags->stand_in_images) {
            throw InputError(config.dataset.image_root.string() + " contains stand-in images (marker file " +
                             kStandInMarkerFile + "), not the benchmark's images; pass --stand-in-images to "
                             "evaluate on them knowingly, or point --image-root at the real images");
        }
        fmt::print("{}", dataset.telemetry.to_table());

        LlamaEngineOptions engine_options;
        engine_options.model = flags->model;
        engine_options.mmproj = flags->mmproj;
        for (const auto& path : flags->lora) {
            engine_options.lora_adapters.emplace_back(path);
        }
        engine_options.context_size = flags->ctx_size;
        engine_options.threads = flags->threads;
        engine_options.use_gpu = !flags->no_gpu;
        engine_options.chat_template = flags->chat_template;
        engine_options.image_limits = config.dataset.image_limits;
        const auto engine = make_llama_engine(engine_options);

        const EvalOutcome outcome = run_eval(config, dataset, *engine);
        fmt::print("\n{}", render_run_report(outcome.manifest, outcome.summary));
        fmt::print("Run written to {}\n", outcome.out_dir.string());
        if (!outcome.summary.at("valid").get<bool>()) {
            throw CLI::RuntimeError(kInvalidRunExitCode);
        }
    });
}

}  // namespace medvlm::cli
