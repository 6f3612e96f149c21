#include "leakage/leakage_checks.hpp"

#include <set>
#include <tuple>

#include "core/error.hpp"
#include "core/text.hpp"
#include "leakage/pair_collector.hpp"

namespace medvlm {
namespace {

std::vector<Source*> pointers_to(std::vector<Source>& train, std::vector<Source>& eval) {
    std::vector<Source*> sources;
    for (auto& source : train) {
        sources.push_back(&source);
    }
    for (auto& source : eval) {
        sources.push_back(&source);
    }
    return sources;
}

using ImageKey = std::tuple<uint32_t, std::string>;  // source, image name

ImageKey image_key(const std::vector<Source>& sources, RecordRef ref, int32_t slot) {
    return {ref.source, sources[ref.source].records[ref.record].images[static_cast<size_t>(slot)].name};
}

struct CheckSets {
    std::set<std::tuple<uint32_t, uint32_t>> train_records;
    std::set<std::tuple<uint32_t, uint32_t>> eval_records;
    std::set<ImageKey> train_images;
    std::set<ImageKey> eval_images;
};

void count_totals(const std::vector<Source>& train, const std::vector<Source>& eval, LeakageResult& result) {
    std::map<LeakageCheck, CheckSets> overall;
    std::vector<std::map<LeakageCheck, CheckSets>> per_split(eval.size());
    std::vector<std::set<uint32_t>> any_image_records(eval.size());
    std::vector<std::set<std::string>> any_image_names(eval.size());
    std::vector<std::set<uint32_t>> any_records(eval.size());

    for (const auto& pair : result.pairs) {
        CheckSets& all = overall[pair.check];
        CheckSets& split = per_split[pair.eval.source][pair.check];
        ++result.totals[pair.check].pairs;
        ++result.eval_splits[pair.eval.source].checks[pair.check].pairs;
        for (CheckSets* sets : {&all, &split}) {
            sets->train_records.emplace(pair.train.source, pair.train.record);
            sets->eval_records.emplace(pair.eval.source, pair.eval.record);
            if (pair.train_image >= 0) {
                sets->train_images.insert(image_key(train, pair.train, pair.train_image));
                sets->eval_images.insert(image_key(eval, pair.eval, pair.eval_image));
            }
        }
        any_records[pair.eval.source].insert(pair.eval.record);
        if (is_image_check(pair.check)) {
            any_image_records[pair.eval.source].insert(pair.eval.record);
            any_image_names[pair.eval.source].insert(std::get<1>(image_key(eval, pair.eval, pair.eval_image)));
        }
    }

    const auto fill = [](CheckTotals& totals, const CheckSets& sets) {
        totals.train_records = sets.train_records.size();
        totals.eval_records = sets.eval_records.size();
        totals.train_images = sets.train_images.size();
        totals.eval_images = sets.eval_images.size();
    };
    for (const auto check : all_leakage_checks()) {
        fill(result.totals[check], overall[check]);
        for (size_t s = 0; s < eval.size(); ++s) {
            fill(result.eval_splits[s].checks[check], per_split[s][check]);
        }
    }
    for (size_t s = 0; s < eval.size(); ++s) {
        result.eval_splits[s].records_any_image_check = any_image_records[s].size();
        result.eval_splits[s].images_any_image_check = any_image_names[s].size();
        result.eval_splits[s].records_any_check = any_records[s].size();
    }
}

void describe_eval_splits(const std::vector<Source>& eval, LeakageResult& result) {
    result.eval_splits.resize(eval.size());
    for (size_t s = 0; s < eval.size(); ++s) {
        std::set<std::string> names;
        std::set<std::string> unusable;
        for (const auto& record : eval[s].records) {
            for (const auto& image : record.images) {
                names.insert(image.name);
                if (!image.problem.empty()) {
                    unusable.insert(image.name);
                }
            }
        }
        result.eval_splits[s].records = eval[s].records.size();
        result.eval_splits[s].images = names.size();
        result.eval_splits[s].images_unusable = unusable.size();
    }
}

void find_label_reveals_in(const std::vector<Source>& sources, bool eval, LeakageResult& result) {
    for (uint32_t s = 0; s < sources.size(); ++s) {
        const auto& records = sources[s].records;
        for (uint32_t r = 0; r < records.size(); ++r) {
            for (auto& reveal : find_label_reveals(records[r])) {
                result.label_reveals.push_back({eval, {s, r}, std::move(reveal)});
            }
        }
    }
}

}  // namespace

const std::vector<LeakageCheck>& all_leakage_checks() {
    static const std::vector<LeakageCheck> checks = {
        LeakageCheck::ImageName,          LeakageCheck::ImageFileSha256,      LeakageCheck::ImagePixelSha256,
        LeakageCheck::ImagePhash,         LeakageCheck::QuestionExact,        LeakageCheck::QuestionNearDuplicate,
        LeakageCheck::QaPairSameImage,    LeakageCheck::QaPairDifferentImage,
    };
    return checks;
}

std::string leakage_check_name(LeakageCheck check) {
    switch (check) {
        case LeakageCheck::ImageName: return "image_name";
        case LeakageCheck::ImageFileSha256: return "image_file_sha256";
        case LeakageCheck::ImagePixelSha256: return "image_pixel_sha256";
        case LeakageCheck::ImagePhash: return "image_phash";
        case LeakageCheck::QuestionExact: return "question_exact";
        case LeakageCheck::QuestionNearDuplicate: return "question_near_duplicate";
        case LeakageCheck::QaPairSameImage: return "qa_pair_same_image";
        case LeakageCheck::QaPairDifferentImage: return "qa_pair_different_image";
    }
    return "unknown";
}

std::string leakage_check_description(LeakageCheck check) {
    switch (check) {
        case LeakageCheck::ImageName: return "same image name (path relative to the image root)";
        case LeakageCheck::ImageFileSha256: return "identical image file bytes (SHA-256)";
        case LeakageCheck::ImagePixelSha256: return "identical decoded pixels, different file bytes (SHA-256)";
        case LeakageCheck::ImagePhash: return "perceptual near-duplicate (pHash), pixels differ";
        case LeakageCheck::QuestionExact: return "same normalized question text";
        case LeakageCheck::QuestionNearDuplicate: return "near-duplicate question (word-shingle Jaccard)";
        case LeakageCheck::QaPairSameImage: return "same normalized question and answer on a shared image";
        case LeakageCheck::QaPairDifferentImage: return "same normalized question and answer on different images";
    }
    return "unknown";
}

bool is_image_check(LeakageCheck check) {
    return check == LeakageCheck::ImageName || check == LeakageCheck::ImageFileSha256 ||
           check == LeakageCheck::ImagePixelSha256 || check == LeakageCheck::ImagePhash;
}

LeakageCheck parse_leakage_check(std::string_view name) {
    std::vector<std::string> names;
    for (const auto check : all_leakage_checks()) {
        if (leakage_check_name(check) == name) {
            return check;
        }
        names.push_back(leakage_check_name(check));
    }
    throw InputError("unknown leakage check '" + std::string(name) + "'; expected one of: " + join(names, ", "));
}

LeakageResult find_leakage(std::vector<Source>& train, std::vector<Source>& eval, const LeakageSettings& settings) {
    if (!(settings.question_jaccard > 0.0 && settings.question_jaccard <= 1.0)) {
        throw InputError("--question-jaccard must be in (0, 1], not " + std::to_string(settings.question_jaccard));
    }
    if (settings.shingle_words < 1) {
        throw InputError("--shingle-words must be at least 1, not " + std::to_string(settings.shingle_words));
    }
    LeakageResult result;
    result.lsh = choose_lsh_parameters(settings.question_jaccard);
    result.images = fingerprint_sources(pointers_to(train, eval), settings.image_limits, settings.threads,
                                        settings.skip_invalid);

    PairCollector pairs;
    RecordPairSet same_image;
    match_images(train, eval, result.images, settings.phash_max_distance, pairs, same_image);
    match_questions(train, eval, settings, result.lsh, same_image, pairs);
    result.pairs = pairs.take_sorted();

    describe_eval_splits(eval, result);
    count_totals(train, eval, result);
    find_label_reveals_in(train, false, result);
    find_label_reveals_in(eval, true, result);
    return result;
}

}  // namespace medvlm
