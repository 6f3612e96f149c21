#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "cli/commands.hpp"
#include "compare/comparison.hpp"

namespace medvlm::cli {

void register_compare(CLI::App& app) {
    auto* command = app.add_subcommand(
        "compare", "Compare runs made with the same harness: paired intervals and McNemar tests per mode and slice");
    struct Flags {
        std::vector<std::string> runs;
        std::string out;
        bool allow_different_harness = false;
        int resamples = kDefaultBootstrapResamples;
        uint64_t seed = 0;
        std::string resampling = "auto";
    };
    auto flags = std::make_shared<Flags>();
    command->add_option("RUN_DIR", flags->runs,
                        "Run directories; the first is the reference every other run is compared with")
        ->required();
    command->add_option("--out", flags->out,
                        "Output directory for comparison.json, report.md and report.html (new, empty, or holding an "
                        "earlier comparison)")
        ->required();
    command->add_flag("--allow-different-harness", flags->allow_different_harness,
                      "Compare runs whose data, images, prompts, decoding, extractor or metric definitions differ; "
                      "every output then starts with a warning listing the differences");
    command->add_option("--resamples", flags->resamples, "Bootstrap resamples per interval (default 10000)")
        ->check(CLI::Range(100, 1'000'000));
    command->add_option("--seed", flags->seed, "Seed of the bootstrap resampling (default 0)");
    command->add_option("--resampling", flags->resampling,
                        "What one bootstrap draw resamples: auto (images when questions share images, else "
                        "questions), question or image")
        ->check(CLI::IsMember({"auto", "question", "image"}));

    command->callback([flags] {
        CompareOptions options;
        for (const auto& run : flags->runs) {
            options.runs.emplace_back(run);
        }
        options.out_dir = flags->out;
        options.allow_different_harness = flags->allow_different_harness;
        options.statistics.bootstrap.resamples = flags->resamples;
        options.statistics.bootstrap.seed = flags->seed;
        options.statistics.resampling = parse_resampling_choice(flags->resampling);

        const CompareOutcome outcome = compare_runs(options);
        const auto& comparison = outcome.comparison;
        if (comparison.contains("warning")) {
            spdlog::warn("{}", comparison.at("warning").get<std::string>());
        }
        size_t clear = 0;
        for (const auto& entry : comparison.at("comparisons")) {
            const std::string decision = entry.at("result").at("decision").get<std::string>();
            clear += decision == "no clear difference" ? 0 : 1;
        }
        fmt::print("Compared {} runs: {} comparisons, {} with a 95 % interval that excludes 0. Written to {} "
                   "(comparison.json, report.md, report.html)\n",
                   options.runs.size(), comparison.at("comparisons").size(), clear, outcome.out_dir.string());
        for (const auto& pairing : comparison.at("pairing")) {
            if (!pairing.at("complete").get<bool>()) {
                spdlog::warn("{} against {}: some calls could not be paired; report.md lists them",
                             pairing.at("second").get<std::string>(), pairing.at("first").get<std::string>());
            }
        }
    });
}

}  // namespace medvlm::cli
