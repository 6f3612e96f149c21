#include <fmt/format.h>

#include "cli/commands.hpp"
#include "model/tiny_model.hpp"

namespace medvlm::cli {

void register_make_tiny_model(CLI::App& app) {
    auto* command = app.add_subcommand(
        "make-tiny-model", "Write a random-weight test VLM (model.gguf + mmproj.gguf) that llama.cpp loads");
    struct Flags {
        std::string out;
        uint64_t seed = 0;
        std::string shape = "tiny";
        std::string weight_type = "f32";
    };
    auto flags = std::make_shared<Flags>();
    command->add_option("--out", flags->out, "Output directory")->required();
    command->add_option("--seed", flags->seed, "Seed of the random weights (same seed, same bytes)");
    command->add_option("--shape", flags->shape, "tiny (default, under 1 MB) or smolvlm-256m (benchmark sizes)");
    command->add_option("--weight-type", flags->weight_type, "Matrix weight type: f32 (default), f16 or q8_0");

    command->callback([flags] {
        TinyModelOptions options;
        options.out_dir = flags->out;
        options.seed = flags->seed;
        options.shape = parse_tiny_model_shape(flags->shape);
        options.weight_type = parse_tiny_weight_type(flags->weight_type);
        const TinyModelFiles files = write_tiny_model(options);
        fmt::print("wrote {} and {}\n", files.model.string(), files.mmproj.string());
    });
}

}  // namespace medvlm::cli
