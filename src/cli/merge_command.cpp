#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "cli/commands.hpp"
#include "core/text.hpp"
#include "report/report_markdown.hpp"
#include "run/merge.hpp"

namespace medvlm::cli {
namespace {

// Exit status when the merged run's summary marks it invalid, as for eval.
constexpr int kInvalidRunExitCode = 4;

}  // namespace

void register_merge(CLI::App& app) {
    auto* command = app.add_subcommand(
        "merge", "Merge run directories of one manifest (shards or partial runs) into a new run directory");
    struct Flags {
        std::vector<std::string> inputs;
        std::string out;
        std::string data;
        std::string image_root;
    };
    auto flags = std::make_shared<Flags>();
    command->add_option("RUN_DIR", flags->inputs, "Run directories to merge")->required();
    command->add_option("--out", flags->out, "New run directory for the merged run (must not exist or be empty)")
        ->required();
    command->add_option("--data", flags->data,
                        "Benchmark file on this machine, when not at the path in the runs' manifest");
    command->add_option("--image-root", flags->image_root,
                        "Image directory on this machine, when not at the path in the runs' manifest");

    command->callback([flags] {
        MergeOptions options;
        for (const auto& input : flags->inputs) {
            options.inputs.emplace_back(input);
        }
        options.out_dir = flags->out;
        options.data_file = flags->data;
        options.image_root = flags->image_root;

        const MergeOutcome outcome = merge_runs(options);
        const RunCompleteness& completeness = outcome.completeness;
        fmt::print("\n{}", render_run_report(outcome.manifest, outcome.summary));
        fmt::print("Merged {} run directories into {}: {} of {} calls answered, {} failed, {} missing; {} calls "
                   "were stored more than once and agreed\n",
                   options.inputs.size(), outcome.out_dir.string(), completeness.answered, completeness.planned,
                   completeness.failed, completeness.missing_keys.size(), outcome.duplicates);
        if (!completeness.missing_keys.empty()) {
            const size_t listed = std::min<size_t>(completeness.missing_keys.size(), 20);
            spdlog::warn("gaps: {} planned calls are in none of the inputs, for example {}; run the missing shard, "
                         "or medvlm eval with the same settings and --out {} to run only those",
                         completeness.missing_keys.size(),
                         join(std::vector<std::string>(completeness.missing_keys.begin(),
                                                       completeness.missing_keys.begin() +
                                                           static_cast<std::ptrdiff_t>(listed)),
                              ", "),
                         outcome.out_dir.string());
        }
        if (!outcome.summary.at("valid").get<bool>()) {
            throw CLI::RuntimeError(kInvalidRunExitCode);
        }
    });
}

}  // namespace medvlm::cli
