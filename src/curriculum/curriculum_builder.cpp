#include "curriculum/curriculum_builder.hpp"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "core/files.hpp"
#include "core/version.hpp"
#include "curriculum/grounding.hpp"
#include "curriculum/stage_samples.hpp"
#include "curriculum/trainer_exports.hpp"
#include "leakage/leakage_report.hpp"

namespace medvlm {
namespace {

constexpr const char* kImageUnusable = "image_unusable";

const std::map<int, std::string>& stage_names() {
    static const std::map<int, std::string> names = {
        {1, "visual grounding"}, {2, "short-answer VQA"}, {3, "clinical multiple choice"}, {4, "mixed replay"}};
    return names;
}

// Each training record flagged by a check in options.drop_on, or with an
// unusable image, with every reason and pair that flagged it.
std::vector<DroppedRecord> find_drops(const std::vector<Source>& from, const LeakageResult& leakage,
                                      const CurriculumOptions& options) {
    std::map<std::pair<uint32_t, uint32_t>, DroppedRecord> drops;
    for (const auto& pair : leakage.pairs) {
        if (!options.drop_on.contains(pair.check)) {
            continue;
        }
        DroppedRecord& drop = drops[{pair.train.source, pair.train.record}];
        drop.record = pair.train;
        drop.reasons.insert(leakage_check_name(pair.check));
        drop.pairs.push_back(&pair);
    }
    for (uint32_t s = 0; s < from.size(); ++s) {
        for (uint32_t r = 0; r < from[s].records.size(); ++r) {
            if (!from[s].records[r].images_usable()) {
                DroppedRecord& drop = drops[{s, r}];
                drop.record = {s, r};
                drop.reasons.insert(kImageUnusable);
            }
        }
    }
    std::vector<DroppedRecord> list;
    for (auto& [key, drop] : drops) {
        list.push_back(std::move(drop));
    }
    return list;
}

struct StagePools {
    std::map<int, std::vector<TrainingSample>> stages;
    std::vector<TrainingSample> instruction;
    GroundingCounts grounding;
    size_t empty_answers = 0;
    // Records offered to each stage before and after the drops.
    std::map<int, size_t> records_offered;
    std::map<int, size_t> records_kept;
};

void append(std::vector<TrainingSample>& to, std::vector<TrainingSample> samples) {
    to.insert(to.end(), std::make_move_iterator(samples.begin()), std::make_move_iterator(samples.end()));
}

StagePools build_pools(const std::vector<Source>& from, const std::vector<DroppedRecord>& dropped,
                       const ImageTable& images) {
    std::set<std::pair<uint32_t, uint32_t>> dropped_keys;
    for (const auto& drop : dropped) {
        dropped_keys.emplace(drop.record.source, drop.record.record);
    }

    StagePools pools;
    for (int stage = 1; stage <= 4; ++stage) {
        pools.stages[stage];
    }
    for (uint32_t s = 0; s < from.size(); ++s) {
        const Source& source = from[s];
        std::vector<const SourceRecord*> short_answer;
        std::vector<const SourceRecord*> multiple_choice;
        std::vector<const SourceRecord*> instruction;
        for (uint32_t r = 0; r < source.records.size(); ++r) {
            const SourceRecord& record = source.records[r];
            const int stage = source.spec.kind == SourceKind::Instruction ? 4 : record.choices.empty() ? 2 : 3;
            ++pools.records_offered[stage];
            if (dropped_keys.contains({s, r})) {
                continue;
            }
            ++pools.records_kept[stage];
            if (stage == 4) {
                instruction.push_back(&record);
            } else if (stage == 3) {
                multiple_choice.push_back(&record);
            } else {
                short_answer.push_back(&record);
            }
        }
        append(pools.stages[1], grounding_samples(source, short_answer, images, pools.grounding));
        append(pools.stages[2], short_answer_samples(source, short_answer, images, pools.empty_answers));
        append(pools.stages[3], multiple_choice_samples(source, multiple_choice, images));
        append(pools.instruction, instruction_samples(source, instruction, images));
    }
    return pools;
}

std::string empty_reason(int stage, const StagePools& pools) {
    const auto count = [](const std::map<int, size_t>& counts, int key) {
        const auto it = counts.find(key);
        return it == counts.end() ? size_t{0} : it->second;
    };
    if (stage == 3 && count(pools.records_offered, 3) == 0) {
        return "no multiple-choice source given: pass --from benchmark=medxpertqa-mm,... or generic records with "
               "options";
    }
    if ((stage == 1 || stage == 2) && count(pools.records_offered, 2) == 0) {
        return "no short-answer source given: pass --from benchmark=slake,..., benchmark=vqa-rad,... or generic "
               "records without options";
    }
    const int records_stage = stage == 1 ? 2 : stage;
    if (count(pools.records_offered, records_stage) > 0 && count(pools.records_kept, records_stage) == 0) {
        return fmt::format("all {} records for this stage were dropped by the leakage checks or for unusable images",
                           count(pools.records_offered, records_stage));
    }
    if (stage == 1) {
        return "no kept record has grounding metadata (modality, location, image_organ) or a grounding question";
    }
    return "no kept record produced a sample";
}

// Counts stage images whose file bytes or decoded pixels equal an image of
// the excluded sources; zero unless a check was left out of --drop-on.
nlohmann::ordered_json check_excluded_images(const std::map<int, std::vector<TrainingSample>>& stages,
                                     const std::vector<Source>& exclude, const ImageTable& images) {
    std::set<std::string> exclude_files;
    std::set<std::string> exclude_pixels;
    std::map<std::string, std::string> pixels_of_file;
    for (const auto& fingerprint : images.fingerprints) {
        pixels_of_file[fingerprint.file_sha256] = fingerprint.pixel_sha256;
    }
    for (const auto& source : exclude) {
        for (const auto& record : source.records) {
            for (const auto& image : record.images) {
                if (image.fingerprint >= 0) {
                    const auto& fingerprint = images.fingerprints[static_cast<size_t>(image.fingerprint)];
                    exclude_files.insert(fingerprint.file_sha256);
                    exclude_pixels.insert(fingerprint.pixel_sha256);
                }
            }
        }
    }
    size_t by_file = 0;
    size_t by_pixels = 0;
    for (const auto& [stage, samples] : stages) {
        for (const auto& sample : samples) {
            for (const auto& sha : sample.image_sha256) {
                by_file += exclude_files.contains(sha) ? 1 : 0;
                by_pixels += exclude_pixels.contains(pixels_of_file.at(sha)) ? 1 : 0;
            }
        }
    }
    return {{"exclude_images", exclude_files.size()},
            {"stage_images_matching_exclude_file_sha256", by_file},
            {"stage_images_matching_exclude_pixel_sha256", by_pixels}};
}

nlohmann::ordered_json drops_json(const std::vector<Source>& from, const std::vector<DroppedRecord>& dropped) {
    std::map<std::string, size_t> by_reason;
    std::map<std::string, std::map<std::string, size_t>> by_source_reason;
    std::map<std::string, size_t> by_source;
    for (const auto& drop : dropped) {
        const std::string& label = from[drop.record.source].label;
        ++by_source[label];
        for (const auto& reason : drop.reasons) {
            ++by_reason[reason];
            ++by_source_reason[label][reason];
        }
    }
    nlohmann::ordered_json sources = nlohmann::ordered_json::object();
    size_t records = 0;
    for (const auto& source : from) {
        records += source.records.size();
        sources[source.label] = {{"records", source.records.size()},
                                 {"dropped", by_source[source.label]},
                                 {"kept", source.records.size() - by_source[source.label]},
                                 {"by_reason", by_source_reason[source.label]}};
    }
    return {{"records", records},
            {"dropped", dropped.size()},
            {"kept", records - dropped.size()},
            {"by_reason", by_reason},
            {"by_source", sources},
            {"note", "a record flagged by several checks counts once under each of them"}};
}

nlohmann::ordered_json stage_json(int stage, const std::vector<TrainingSample>& samples, const std::string& reason) {
    std::map<std::string, size_t> by_source;
    std::map<std::string, size_t> by_task;
    for (const auto& sample : samples) {
        ++by_source[sample.source.label];
        ++by_task[sample.task];
    }
    nlohmann::ordered_json json = {{"stage", stage},
                           {"name", stage_names().at(stage)},
                           {"file", fmt::format("stage{}.jsonl", stage)},
                           {"samples", samples.size()},
                           {"by_source", by_source},
                           {"by_task", by_task}};
    if (samples.empty()) {
        json["empty_reason"] = reason;
    }
    return json;
}

}  // namespace

Curriculum build_curriculum(std::vector<Source>& from, std::vector<Source>& exclude,
                            const CurriculumOptions& options) {
    Curriculum curriculum;
    curriculum.leakage = find_leakage(from, exclude, options.leakage);
    curriculum.dropped = find_drops(from, curriculum.leakage, options);

    StagePools pools = build_pools(from, curriculum.dropped, curriculum.leakage.images);
    const std::map<std::string, size_t> pool_sizes = {{"stage1", pools.stages[1].size()},
                                                      {"stage2", pools.stages[2].size()},
                                                      {"stage3", pools.stages[3].size()},
                                                      {"instruction", pools.instruction.size()}};
    const ReplayPlan plan = plan_replay(options.mix, pool_sizes, options.replay_size);
    if (plan.empty_reason.empty()) {
        const std::map<std::string, std::vector<TrainingSample>> replay_pools = {{"stage1", pools.stages[1]},
                                                                                 {"stage2", pools.stages[2]},
                                                                                 {"stage3", pools.stages[3]},
                                                                                 {"instruction", pools.instruction}};
        pools.stages[4] = draw_replay(plan, replay_pools, options.seed);
    }
    curriculum.stages = std::move(pools.stages);

    nlohmann::ordered_json stages = nlohmann::ordered_json::array();
    for (const auto& [stage, samples] : curriculum.stages) {
        if (samples.empty()) {
            const bool instruction_all_dropped = pools.records_offered[4] > 0 && pools.records_kept[4] == 0;
            const bool use_plan_reason = stage == 4 && !plan.empty_reason.empty() && !instruction_all_dropped;
            curriculum.empty_reasons[stage] = use_plan_reason ? plan.empty_reason : empty_reason(stage, pools);
        }
        stages.push_back(stage_json(stage, samples, samples.empty() ? curriculum.empty_reasons.at(stage) : ""));
    }

    nlohmann::ordered_json drop_on = nlohmann::ordered_json::array();
    for (const auto check : options.drop_on) {
        drop_on.push_back(leakage_check_name(check));
    }
    nlohmann::ordered_json from_json = nlohmann::ordered_json::array();
    nlohmann::ordered_json exclude_json = nlohmann::ordered_json::array();
    for (const auto& source : from) {
        from_json.push_back(source_summary_json(source));
    }
    for (const auto& source : exclude) {
        exclude_json.push_back(source_summary_json(source));
    }
    size_t training_reveals = 0;
    for (const auto& finding : curriculum.leakage.label_reveals) {
        training_reveals += finding.eval ? 0 : 1;
    }

    curriculum.summary = {
        {"medvlm_version", medvlm_version()},
        {"git_commit", medvlm_git_commit()},
        {"settings",
         {{"drop_on", drop_on},
          {"phash_max_distance", options.leakage.phash_max_distance},
          {"question_jaccard", options.leakage.question_jaccard},
          {"shingle_words", options.leakage.shingle_words},
          {"mix", options.mix.proportions},
          {"replay_size_requested", options.replay_size},
          {"seed", options.seed}}},
        {"from", from_json},
        {"exclude", exclude_json},
        {"drops", drops_json(from, curriculum.dropped)},
        {"stages", stages},
        {"grounding",
         {{"samples_by_task", pools.grounding.samples_by_task},
          {"unmapped_values", pools.grounding.unmapped_values},
          {"answers_too_long", pools.grounding.answers_too_long}}},
        {"short_answer", {{"empty_answers_left_out", pools.empty_answers}}},
        {"replay", replay_plan_json(plan)},
        {"exclude_check", check_excluded_images(curriculum.stages, exclude, curriculum.leakage.images)},
        {"training_records_with_answer_in_image_name_or_caption", training_reveals},
    };
    return curriculum;
}

void write_curriculum(const std::filesystem::path& directory, Curriculum& curriculum, const std::vector<Source>& from,
                      const std::vector<Source>& exclude, const CurriculumOptions& options) {
    std::filesystem::create_directories(directory);
    for (const auto& [stage, samples] : curriculum.stages) {
        std::string text;
        for (const auto& sample : samples) {
            text += sample.to_json().dump() + "\n";
        }
        write_file_atomic(directory / fmt::format("stage{}.jsonl", stage), text);
    }

    std::string dropped;
    for (const auto& drop : curriculum.dropped) {
        const Source& source = from[drop.record.source];
        nlohmann::ordered_json matches = nlohmann::ordered_json::array();
        for (size_t i = 0; i < drop.pairs.size() && i < 5; ++i) {
            const LeakagePair& pair = *drop.pairs[i];
            matches.push_back({{"check", leakage_check_name(pair.check)},
                               {"eval_source", exclude[pair.eval.source].label},
                               {"eval_id", exclude[pair.eval.source].records[pair.eval.record].id},
                               {"distance", pair.distance}});
        }
        dropped += nlohmann::ordered_json({{"source", source.label},
                                   {"id", source.records[drop.record.record].id},
                                   {"reasons", drop.reasons},
                                   {"pairs", drop.pairs.size()},
                                   {"first_pairs", matches}})
                       .dump() +
                   "\n";
    }
    write_file_atomic(directory / "dropped.jsonl", dropped);

    // The full leakage report of the training sources against the excluded
    // sources, so every drop can be traced to its pairs.
    const LeakageReport report{from, exclude, options.leakage, curriculum.leakage, 0};
    write_leakage_report(directory, report);

    curriculum.summary["exports"] = write_trainer_exports(directory / "exports", curriculum.stages);
    write_file_atomic(directory / "curriculum.json", curriculum.summary.dump(2) + "\n");
}

}  // namespace medvlm
