#include <filesystem>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "cli/commands.hpp"
#include "cli/leakage_options.hpp"
#include "core/text.hpp"
#include "curriculum/curriculum_builder.hpp"

namespace medvlm::cli {
namespace {

struct CurriculumCommandFlags {
    std::vector<std::string> from;
    std::vector<std::string> exclude;
    std::string out;
    std::string drop_on;
    std::string mix;
    size_t replay_size = 0;
    uint64_t seed = 0;
    LeakageFlags leakage;
};

std::set<LeakageCheck> parse_drop_on(const std::string& text) {
    std::set<LeakageCheck> checks;
    if (text.empty()) {
        return {all_leakage_checks().begin(), all_leakage_checks().end()};
    }
    for (const auto& name : split(text, ',')) {
        checks.insert(parse_leakage_check(trim(name)));
    }
    return checks;
}

void run_curriculum(const CurriculumCommandFlags& flags) {
    CurriculumOptions options;
    options.leakage = to_leakage_settings(flags.leakage);
    options.drop_on = parse_drop_on(flags.drop_on);
    if (!flags.mix.empty()) {
        options.mix = parse_replay_mix(flags.mix);
    }
    options.replay_size = flags.replay_size;
    options.seed = flags.seed;

    const SourceLoadOptions load_options{options.leakage.skip_invalid};
    std::vector<Source> from = load_sources(parse_source_specs(flags.from), load_options);
    std::vector<Source> exclude = load_sources(parse_source_specs(flags.exclude), load_options);
    std::vector<const Source*> all;
    for (const auto* list : {&from, &exclude}) {
        for (const auto& source : *list) {
            all.push_back(&source);
        }
    }
    require_unique_labels(all);

    spdlog::info("building the curriculum from {} sources, excluding {} eval sources", from.size(), exclude.size());
    Curriculum curriculum = build_curriculum(from, exclude, options);
    write_curriculum(flags.out, curriculum, from, exclude, options);

    const auto& drops = curriculum.summary.at("drops");
    fmt::print("{} of {} training records dropped, {} kept\n", drops.at("dropped").get<size_t>(),
               drops.at("records").get<size_t>(), drops.at("kept").get<size_t>());
    for (const auto& [reason, count] : drops.at("by_reason").items()) {
        fmt::print("  {:<24} {:>7} records\n", reason, count.get<size_t>());
    }
    for (const auto& [stage, samples] : curriculum.stages) {
        if (samples.empty()) {
            fmt::print("stage{}.jsonl: empty ({})\n", stage, curriculum.empty_reasons.at(stage));
        } else {
            fmt::print("stage{}.jsonl: {} samples\n", stage, samples.size());
        }
    }
    const auto& check = curriculum.summary.at("exclude_check");
    const size_t leaked = check.at("stage_images_matching_exclude_file_sha256").get<size_t>() +
                          check.at("stage_images_matching_exclude_pixel_sha256").get<size_t>();
    if (leaked > 0) {
        spdlog::warn("{} stage images are identical to excluded eval images; --drop-on leaves out an image check",
                     leaked);
    }
    fmt::print("wrote {}\n", (std::filesystem::path(flags.out) / "curriculum.json").string());
}

}  // namespace

void register_curriculum(CLI::App& app) {
    auto* command = app.add_subcommand(
        "curriculum", "Build the four training stages from training sources, without anything that leaks into the "
                      "excluded eval sets");
    auto flags = std::make_shared<CurriculumCommandFlags>();
    command->footer(source_spec_help());
    command->add_option("--from", flags->from,
                        "Training records: one or more SPECs. Short-answer benchmarks feed stages 1 and 2, "
                        "multiple-choice records stage 3, benchmark=instruction the replay of stage 4")
        ->required();
    command->add_option("--exclude", flags->exclude,
                        "Eval records to keep out: one or more SPECs. A training record flagged against any of them "
                        "by a --drop-on check is dropped and counted")
        ->required();
    command->add_option("--out", flags->out,
                        "Directory for stage1.jsonl ... stage4.jsonl, curriculum.json, dropped.jsonl, leakage.json, "
                        "leakage.md and exports/ (created if missing)")
        ->required();
    command->add_option("--drop-on", flags->drop_on,
                        "Comma-separated leakage checks that drop a training record (default: all of image_name, "
                        "image_file_sha256, image_pixel_sha256, image_phash, question_exact, "
                        "question_near_duplicate, qa_pair_same_image, qa_pair_different_image)");
    command->add_option("--mix", flags->mix,
                        "Stage 4 weights per pool, for example stage1=0.2,stage2=0.4,stage3=0.2,instruction=0.2 "
                        "(the default); empty pools are left out and the rest renormalized");
    command->add_option("--replay-size", flags->replay_size,
                        "Stage 4 samples (default 0: the largest number that repeats no sample)");
    command->add_option("--seed", flags->seed, "Seed of the stage 4 draw and shuffle (default 0)");
    add_leakage_flags(command, flags->leakage);
    command->callback([flags] { run_curriculum(*flags); });
}

}  // namespace medvlm::cli
