#include <fmt/format.h>

#include "cli/commands.hpp"
#include "core/files.hpp"
#include "core/sha256.hpp"
#include "data/loaders.hpp"
#include "data/stand_in_images.hpp"

namespace medvlm::cli {
namespace {

struct StandInFlags {
    std::string benchmark;
    std::string data;
    std::string out;
    int size = 64;
    uint64_t seed = 0;
};

// Every image name in the file, whatever the split or language, so one
// folder serves any filter a later run applies.
std::vector<std::string> image_names(Benchmark benchmark, const std::string& data_file) {
    const std::string content = read_file(data_file);
    ParseOptions options;
    options.lang = "all";
    ParsedRecords parsed;
    switch (benchmark) {
        case Benchmark::MedXpertQaMm: parsed = parse_medxpertqa_mm(data_file, content, options); break;
        case Benchmark::Slake: parsed = parse_slake(data_file, content, options); break;
        case Benchmark::VqaRad:
            options.split = "all";
            parsed = parse_vqa_rad(data_file, content, options);
            break;
    }
    std::vector<std::string> names;
    for (const auto& example : parsed.examples) {
        for (const auto& image : example.images) {
            names.push_back(image.name);
        }
    }
    return names;
}

}  // namespace

void register_make_stand_in_images(CLI::App& app) {
    auto* command = app.add_subcommand(
        "make-stand-in-images",
        "Write generated placeholder images named as a records file names them, for runs without the real images");
    auto flags = std::make_shared<StandInFlags>();
    command->add_option("--benchmark", flags->benchmark, "Benchmark: medxpertqa-mm, slake or vqa-rad")->required();
    command->add_option("--data", flags->data, "Records file as published (JSON or JSONL)")->required();
    command->add_option("--out", flags->out, "Folder to write the images to (new or empty)")->required();
    command->add_option("--size", flags->size, "Width and height of each image in pixels (8 to 4096)");
    command->add_option("--seed", flags->seed, "Seed for the generated patterns");

    command->callback([flags] {
        const Benchmark benchmark = parse_benchmark(flags->benchmark);
        const auto names = image_names(benchmark, flags->data);
        const nlohmann::json source = {{"benchmark", benchmark_name(benchmark)},
                                       {"data_file", flags->data},
                                       {"data_sha256", sha256_file(flags->data)}};
        const size_t written = write_stand_in_images(names, flags->out, {flags->size, flags->seed}, source);
        fmt::print("Wrote {} stand-in images to {} (marker {}). Evaluate on them with --stand-in-images; their "
                   "scores say nothing about the real images.\n",
                   written, flags->out, kStandInMarkerFile);
    });
}

}  // namespace medvlm::cli
