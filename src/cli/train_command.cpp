#include <fmt/format.h>

#include "cli/commands.hpp"
#include "core/error.hpp"
#include "core/text.hpp"
#include "train/trainer.hpp"

namespace medvlm::cli {
namespace {

struct TrainFlags {
    std::string model;
    std::string mmproj;
    std::vector<std::string> data;
    std::string variant;
    int rank = 8;
    float alpha = 16.0f;
    float learning_rate = 1e-4f;
    int epochs = 1;
    int late_vision_blocks = 0;
    float weight_decay = 0.0f;
    double validation_fraction = 0.1;
    uint64_t seed = 0;
    int threads = 0;
    std::string out;
    std::string resume;
    std::string cache_dir;
    std::string chat_template;
    bool f32_backward_weights = false;
};

std::vector<std::filesystem::path> split_data_paths(const std::vector<std::string>& values) {
    std::vector<std::filesystem::path> paths;
    for (const auto& value : values) {
        for (const auto& part : split(value, ',')) {
            if (part.empty()) {
                throw InputError("--data '" + value + "' has an empty entry; separate stage files with single commas");
            }
            paths.emplace_back(part);
        }
    }
    return paths;
}

// The command as run, for train.json.
std::vector<std::string> command_line(const TrainFlags& flags) {
    std::vector<std::string> line = {"medvlm", "train", "--model", flags.model, "--mmproj", flags.mmproj};
    for (const auto& data : flags.data) {
        line.insert(line.end(), {"--data", data});
    }
    line.insert(line.end(), {"--variant", flags.variant, "--rank", std::to_string(flags.rank), "--alpha",
                             fmt::format("{}", flags.alpha), "--lr", fmt::format("{}", flags.learning_rate), "--epochs",
                             std::to_string(flags.epochs)});
    if (flags.late_vision_blocks > 0) {
        line.insert(line.end(), {"--late-vision-blocks", std::to_string(flags.late_vision_blocks)});
    }
    line.insert(line.end(), {"--weight-decay", fmt::format("{}", flags.weight_decay), "--val-fraction",
                             fmt::format("{}", flags.validation_fraction), "--seed", std::to_string(flags.seed),
                             "--threads", std::to_string(flags.threads), "--out", flags.out});
    for (const auto& [flag, value] : {std::pair{"--resume", flags.resume}, std::pair{"--cache-dir", flags.cache_dir},
                                      std::pair{"--chat-template", flags.chat_template}}) {
        if (!value.empty()) {
            line.insert(line.end(), {flag, value});
        }
    }
    if (flags.f32_backward_weights) {
        line.emplace_back("--f32-backward-weights");
    }
    return line;
}

}  // namespace

void register_train(CLI::App& app) {
    auto* command = app.add_subcommand("train", "Fine-tune LoRA adapters on training stage files and write OUT");
    auto flags = std::make_shared<TrainFlags>();
    command->add_option("--model", flags->model, "Language model GGUF (llama architecture)")->required();
    command->add_option("--mmproj", flags->mmproj, "Projector GGUF (idefics3 / SmolVLM)")->required();
    command->add_option("--data", flags->data, "Stage files (JSON Lines), comma-separated or repeated")->required();
    command->add_option("--variant", flags->variant,
                        "A: LoRA on the language model; B: A plus the projector; C: B plus the last vision blocks")
        ->required()
        ->check(CLI::IsMember({"A", "B", "C"}));
    command->add_option("--rank", flags->rank, "LoRA rank r")->check(CLI::PositiveNumber);
    command->add_option("--alpha", flags->alpha, "LoRA alpha; updates are scaled by alpha / r")->check(CLI::PositiveNumber);
    command->add_option("--lr", flags->learning_rate, "AdamW learning rate")->check(CLI::PositiveNumber);
    command->add_option("--epochs", flags->epochs, "Passes over the training samples")->check(CLI::PositiveNumber);
    command->add_option("--late-vision-blocks", flags->late_vision_blocks,
                        fmt::format("Variant C: vision-encoder blocks (counted from the last) that get LoRA (default {})",
                                    kDefaultLateVisionBlocks))
        ->check(CLI::PositiveNumber);
    command->add_option("--weight-decay", flags->weight_decay, "AdamW decoupled weight decay (0 to 1)");
    command->add_option("--val-fraction", flags->validation_fraction,
                        "Fraction of image groups held out for the validation loss (0 disables it)");
    command->add_option("--seed", flags->seed, "Seed for LoRA initialization, the validation split and sample order");
    command->add_option("--threads", flags->threads, "CPU threads (0: one per hardware thread)");
    command->add_option("--out", flags->out, "Output directory")->required();
    command->add_option("--resume", flags->resume, "Checkpoint (OUT/checkpoints/epoch-N.gguf) to continue from");
    command->add_option("--cache-dir", flags->cache_dir, "Vision cache directory (default OUT/vision-cache)");
    command->add_option("--chat-template", flags->chat_template,
                        "llama.cpp built-in chat template name, overriding the model's own");
    command->add_flag("--f32-backward-weights", flags->f32_backward_weights,
                      "Keep F32 copies of the language model's quantized weights for the backward pass: slightly "
                      "faster steps, 4 bytes more memory per decoder weight (about 400 MB for SmolVLM-256M)");

    command->callback([flags] {
        TrainOptions options;
        options.model = flags->model;
        options.mmproj = flags->mmproj;
        options.data = split_data_paths(flags->data);
        options.variant = parse_variant(flags->variant);
        options.rank = flags->rank;
        options.alpha = flags->alpha;
        options.learning_rate = flags->learning_rate;
        options.epochs = flags->epochs;
        options.late_vision_blocks = flags->late_vision_blocks;
        options.weight_decay = flags->weight_decay;
        options.validation_fraction = flags->validation_fraction;
        options.seed = flags->seed;
        options.threads = flags->threads;
        options.out_dir = flags->out;
        options.resume = flags->resume;
        options.cache_dir = flags->cache_dir;
        options.chat_template = flags->chat_template;
        options.f32_backward_weights = flags->f32_backward_weights;
        options.command_line = command_line(*flags);
        const TrainOutcome outcome = run_training(options);
        fmt::print("Adapter: {}\n", outcome.adapter.string());
        if (!outcome.merged_mmproj.empty()) {
            fmt::print("Merged projector: {}\n", outcome.merged_mmproj.string());
        }
        fmt::print("Run record: {}\n", outcome.manifest.string());
    });
}

}  // namespace medvlm::cli
