#include "curriculum/grounding.hpp"

#include <set>

#include "core/text.hpp"
#include "curriculum/canonical_answer.hpp"
#include "curriculum/stage_samples.hpp"
#include "scoring/normalize.hpp"

namespace medvlm {
namespace {

constexpr size_t kMaxGroundingAnswerWords = 3;

const char* const kModalityPrompt =
    "Which imaging modality was used to acquire this image? Answer with the modality only.";
const char* const kBodyRegionPrompt = "Which body region does this image show? Answer with the region only.";

bool is_english(const SourceRecord& record) {
    const auto it = record.fields.find("q_lang");
    return it == record.fields.end() || it->second == "en";
}

std::string field_or_empty(const SourceRecord& record, const std::string& field) {
    const auto it = record.fields.find(field);
    return it == record.fields.end() ? std::string() : trim(it->second);
}

// The grounding task of a question, from the record's category field; ""
// when the category is not a grounding one.
std::string question_task(const Source& source, const SourceRecord& record) {
    if (source.spec.kind == SourceKind::Slake) {
        const std::string type = field_or_empty(record, "content_type");
        if (type == "Modality") return "grounding_modality";
        if (type == "Plane") return "grounding_plane";
        if (type == "Organ") return "grounding_organ";
        if (type == "Abnormality") return "grounding_normality";
        return "";
    }
    if (source.spec.kind == SourceKind::VqaRad) {
        // question_type may join several types ("PRES, POS") and has typos
        // in the official release ("PRSE"); the first grounding type wins.
        std::set<std::string> types;
        for (const auto& part : split(field_or_empty(record, "question_type"), ',')) {
            std::string type = trim(part);
            for (char& c : type) {
                c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
            }
            types.insert(type);
        }
        if (types.contains("MODALITY")) return "grounding_modality";
        if (types.contains("PLANE")) return "grounding_plane";
        if (types.contains("ORGAN")) return "grounding_organ";
        if (types.contains("PRES") || types.contains("PRSE")) return "grounding_presence";
        if (types.contains("ABN")) return "grounding_normality";
    }
    return "";
}

std::string grounding_question_prompt(const SourceRecord& record, const std::string& answer) {
    const std::string instruction = (answer == "yes" || answer == "no")
                                        ? "Answer yes or no."
                                        : "Answer with a single word or a short phrase.";
    return trim(record.question) + "\n" + instruction;
}

struct MetadataTask {
    std::string task;
    std::string prompt;
    std::string answer;
};

std::vector<MetadataTask> metadata_tasks(const Source& source, const SourceRecord& record,
                                         GroundingCounts& counts) {
    std::vector<MetadataTask> tasks;
    const std::string modality = field_or_empty(record, "modality");
    if (!modality.empty() && (source.spec.kind == SourceKind::Slake || source.spec.kind == SourceKind::Generic)) {
        tasks.push_back({"grounding_modality", kModalityPrompt, canonical_answer(modality)});
    }

    std::string region;
    for (const char* field : {"location", "image_organ"}) {
        const std::string value = field_or_empty(record, field);
        if (value.empty()) {
            continue;
        }
        region = body_region_of(field, value);
        if (region.empty()) {
            ++counts.unmapped_values[field][value];
        }
    }
    if (source.spec.kind == SourceKind::Generic) {
        region = canonical_answer(field_or_empty(record, "body_region"));
    }
    if (!region.empty()) {
        tasks.push_back({"grounding_body_region", kBodyRegionPrompt, region});
    }
    return tasks;
}

}  // namespace

std::string body_region_of(const std::string& field, const std::string& value) {
    // SLAKE 1.0 `location` values and the VQA-RAD `image_organ` values of
    // the official releases.
    static const std::map<std::string, std::map<std::string, std::string>> regions = {
        {"location",
         {{"Abdomen", "abdomen"},
          {"Brain", "head"},
          {"Brain_Face", "head"},
          {"Brain_Tissue", "head"},
          {"Chest_heart", "chest"},
          {"Chest_lung", "chest"},
          {"Chest_mediastinal", "chest"},
          {"Lung", "chest"},
          {"Neck", "neck"},
          {"Pelvic Cavity", "pelvis"}}},
        {"image_organ", {{"ABD", "abdomen"}, {"CHEST", "chest"}, {"HEAD", "head"}}},
    };
    const auto table = regions.find(field);
    if (table == regions.end()) {
        return "";
    }
    const auto it = table->second.find(value);
    return it == table->second.end() ? "" : it->second;
}

std::vector<TrainingSample> grounding_samples(const Source& source, const std::vector<const SourceRecord*>& records,
                                              const ImageTable& images, GroundingCounts& counts) {
    std::vector<TrainingSample> samples;
    std::set<std::pair<std::string, std::string>> done;  // (task, image path) of metadata samples

    for (const SourceRecord* record : records) {
        if (record->images.size() == 1) {
            for (const auto& task : metadata_tasks(source, *record, counts)) {
                if (task.answer.empty() || !done.emplace(task.task, record->images[0].path.string()).second) {
                    continue;
                }
                TrainingSample sample = sample_from_record(source, *record, images);
                sample.id = source.label + ":" + record->id + ":" + task.task;
                sample.stage = 1;
                sample.prompt = task.prompt;
                sample.answer = task.answer;
                sample.task = task.task;
                ++counts.samples_by_task[task.task];
                samples.push_back(std::move(sample));
            }
        }

        const std::string task = question_task(source, *record);
        if (task.empty() || !is_english(*record)) {
            continue;
        }
        const std::string answer = canonical_answer(record->answer);
        const size_t words = answer_tokens(normalize_answer(answer, NormalizeOptions{true, false})).size();
        if (words == 0) {
            continue;
        }
        if (words > kMaxGroundingAnswerWords) {
            ++counts.answers_too_long;
            continue;
        }
        TrainingSample sample = sample_from_record(source, *record, images);
        sample.id = source.label + ":" + record->id + ":" + task + "_question";
        sample.stage = 1;
        sample.prompt = grounding_question_prompt(*record, answer);
        sample.answer = answer;
        sample.task = task;
        ++counts.samples_by_task[task];
        samples.push_back(std::move(sample));
    }
    return samples;
}

}  // namespace medvlm
