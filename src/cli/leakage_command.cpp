#include <filesystem>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "cli/commands.hpp"
#include "cli/leakage_options.hpp"
#include "leakage/leakage_report.hpp"

namespace medvlm::cli {
namespace {

struct LeakageCommandFlags {
    std::vector<std::string> train;
    std::vector<std::string> eval;
    std::string out;
    size_t max_pairs_per_check = 0;
    LeakageFlags leakage;
};

void run_leakage(const LeakageCommandFlags& flags) {
    const LeakageSettings settings = to_leakage_settings(flags.leakage);
    const SourceLoadOptions load_options{settings.skip_invalid};
    std::vector<Source> train = load_sources(parse_source_specs(flags.train), load_options);
    std::vector<Source> eval = load_sources(parse_source_specs(flags.eval), load_options);
    std::vector<const Source*> all;
    for (const auto* list : {&train, &eval}) {
        for (const auto& source : *list) {
            all.push_back(&source);
        }
    }
    require_unique_labels(all);
    std::filesystem::create_directories(flags.out);

    spdlog::info("checking {} train and {} eval sources on {} threads", train.size(), eval.size(), settings.threads);
    const LeakageResult result = find_leakage(train, eval, settings);
    const LeakageReport report{train, eval, settings, result, flags.max_pairs_per_check};
    write_leakage_report(flags.out, report);

    for (size_t s = 0; s < eval.size(); ++s) {
        const auto& split = result.eval_splits[s];
        fmt::print("{}: {} of {} images and {} of {} records also in train by image; {} records flagged by any "
                   "check\n",
                   eval[s].label, split.images_any_image_check, split.images, split.records_any_image_check,
                   split.records, split.records_any_check);
    }
    for (const auto check : all_leakage_checks()) {
        const auto& totals = result.totals.at(check);
        fmt::print("  {:<24} {:>8} pairs, {:>6} eval records\n", leakage_check_name(check), totals.pairs,
                   totals.eval_records);
    }
    fmt::print("  {:<24} {:>8} records\n", "label_in_name_or_caption", result.label_reveals.size());
    fmt::print("wrote {} and {}\n", (std::filesystem::path(flags.out) / "leakage.json").string(),
               (std::filesystem::path(flags.out) / "leakage.md").string());
}

}  // namespace

void register_leakage(CLI::App& app) {
    auto* command = app.add_subcommand(
        "leakage", "Find images, questions and question-answer pairs that evaluation sets share with training sets");
    auto flags = std::make_shared<LeakageCommandFlags>();
    command->footer(source_spec_help());
    command->add_option("--train", flags->train, "Training records: one or more SPECs (see below)")->required();
    command->add_option("--eval", flags->eval, "Evaluation records: one or more SPECs; each is one eval split")
        ->required();
    command->add_option("--out", flags->out, "Directory for leakage.json and leakage.md (created if missing)")
        ->required();
    command->add_option("--max-pairs-per-check", flags->max_pairs_per_check,
                        "List at most this many pairs per check in leakage.json (0, the default: all); totals "
                        "always count every pair");
    add_leakage_flags(command, flags->leakage);
    command->callback([flags] { run_leakage(*flags); });
}

}  // namespace medvlm::cli
