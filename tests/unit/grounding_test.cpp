// Stage 1 grounding samples from SLAKE and VQA-RAD metadata.

#include <gtest/gtest.h>

#include "curriculum/grounding.hpp"

namespace medvlm {
namespace {

SourceRecord record(const std::string& id, const std::string& image, const std::string& question,
                    const std::string& answer, std::map<std::string, std::string> fields) {
    SourceRecord r;
    r.id = id;
    r.question = question;
    r.answer = answer;
    r.fields = std::move(fields);
    r.images.push_back(SourceImage{image, "/data/" + image, {}, 0});
    return r;
}

ImageTable one_image_table() {
    ImageTable table;
    table.paths.emplace_back("/data/img");
    table.fingerprints.push_back(ImageFingerprint{"filehash", "pixelhash", 0, 1, 1, ""});
    return table;
}

std::map<std::string, TrainingSample> by_id(const std::vector<TrainingSample>& samples) {
    std::map<std::string, TrainingSample> map;
    for (const auto& sample : samples) {
        map[sample.id] = sample;
    }
    return map;
}

TEST(Grounding, SlakeMetadataAndQuestions) {
    Source source;
    source.spec.kind = SourceKind::Slake;
    source.label = "slake:train:all";
    source.records = {
        record("1", "xmlab1/source.jpg", "What modality is used to take this image?", "MRI",
               {{"q_lang", "en"}, {"modality", "MRI"}, {"location", "Brain_Tissue"}, {"content_type", "Modality"}}),
        record("2", "xmlab1/source.jpg", "Does the picture contain liver?", "No",
               {{"q_lang", "en"}, {"modality", "MRI"}, {"location", "Brain_Tissue"}, {"content_type", "Organ"}}),
        record("3", "xmlab1/source.jpg", "图片中包含肝脏吗？", "不包含",
               {{"q_lang", "zh"}, {"modality", "MRI"}, {"location", "Brain_Tissue"}, {"content_type", "Organ"}}),
        record("4", "xmlab2/source.jpg", "What diseases are included in the picture?",
               "Brain Edema, Brain Non-enhancing Tumor",
               {{"q_lang", "en"}, {"modality", "MRI"}, {"location", "Space"}, {"content_type", "Abnormality"}}),
    };
    std::vector<const SourceRecord*> records;
    for (const auto& r : source.records) {
        records.push_back(&r);
    }
    GroundingCounts counts;
    const auto samples = by_id(grounding_samples(source, records, one_image_table(), counts));

    // One modality and one region sample per image, from metadata.
    ASSERT_TRUE(samples.contains("slake:train:all:1:grounding_modality"));
    EXPECT_EQ(samples.at("slake:train:all:1:grounding_modality").answer, "mri");
    EXPECT_EQ(samples.at("slake:train:all:1:grounding_body_region").answer, "head");
    EXPECT_EQ(samples.at("slake:train:all:4:grounding_modality").answer, "mri");
    EXPECT_FALSE(samples.contains("slake:train:all:4:grounding_body_region"));
    EXPECT_EQ(counts.unmapped_values.at("location").at("Space"), 1u);

    // English grounding questions with short answers.
    const auto& modality = samples.at("slake:train:all:1:grounding_modality_question");
    EXPECT_EQ(modality.prompt, "What modality is used to take this image?\nAnswer with a single word or a short phrase.");
    EXPECT_EQ(modality.answer, "mri");
    const auto& organ = samples.at("slake:train:all:2:grounding_organ_question");
    EXPECT_EQ(organ.prompt, "Does the picture contain liver?\nAnswer yes or no.");
    EXPECT_EQ(organ.answer, "no");
    EXPECT_EQ(organ.stage, 1);
    EXPECT_EQ(organ.image_sha256, std::vector<std::string>{"filehash"});
    EXPECT_FALSE(samples.contains("slake:train:all:3:grounding_organ_question"));  // Chinese
    EXPECT_EQ(counts.answers_too_long, 1u);  // record 4: six words
    EXPECT_EQ(samples.size(), 5u);
}

TEST(Grounding, VqaRadOrganAndQuestionTypes) {
    Source source;
    source.spec.kind = SourceKind::VqaRad;
    source.label = "vqa-rad:train";
    source.records = {
        record("10", "synpic1.jpg", "Is there a pneumothorax?", "no", {{"image_organ", "CHEST"}, {"question_type", "PRES, POS"}}),
        record("11", "synpic1.jpg", "In what plane is this image taken?", "Axial",
               {{"image_organ", "CHEST"}, {"question_type", "PLANE"}}),
        record("12", "synpic1.jpg", "What is the size of the mass?", "3 cm", {{"image_organ", "CHEST"}, {"question_type", "SIZE"}}),
    };
    std::vector<const SourceRecord*> records;
    for (const auto& r : source.records) {
        records.push_back(&r);
    }
    GroundingCounts counts;
    const auto samples = by_id(grounding_samples(source, records, one_image_table(), counts));
    EXPECT_EQ(samples.at("vqa-rad:train:10:grounding_body_region").answer, "chest");
    EXPECT_EQ(samples.at("vqa-rad:train:10:grounding_presence_question").answer, "no");
    EXPECT_EQ(samples.at("vqa-rad:train:11:grounding_plane_question").answer, "axial");
    EXPECT_EQ(samples.size(), 3u);
    EXPECT_EQ(counts.samples_by_task.at("grounding_body_region"), 1u);
}

TEST(Grounding, BodyRegionTable) {
    EXPECT_EQ(body_region_of("location", "Chest_lung"), "chest");
    EXPECT_EQ(body_region_of("location", "Pelvic Cavity"), "pelvis");
    EXPECT_EQ(body_region_of("image_organ", "ABD"), "abdomen");
    EXPECT_EQ(body_region_of("image_organ", "LEG"), "");
}

}  // namespace
}  // namespace medvlm
