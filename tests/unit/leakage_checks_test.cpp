// Every leakage check on small generic sources made from real VQA-RAD
// images: byte copies, lossless re-encodes, resized JPEG copies, shared
// names with other content, repeated and near-duplicate questions, and
// answers in file names.

#include <gtest/gtest.h>

#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include "core/files.hpp"
#include "leakage/leakage_checks.hpp"
#include "leakage/leakage_report.hpp"
#include "support/test_support.hpp"

namespace medvlm {
namespace {

namespace fs = std::filesystem;

struct Fixture {
    fs::path dir;
    std::vector<Source> train;
    std::vector<Source> eval;
};

std::string line(const std::string& id, const std::string& image, const std::string& question,
                 const std::string& answer) {
    return nlohmann::json({{"id", id}, {"images", {image}}, {"question", question}, {"answer", answer}}).dump() +
           "\n";
}

const char* const kVignette =
    "A 54-year-old woman presents with three days of fever, productive cough and pleuritic chest pain. She "
    "has a history of type 2 diabetes and smokes one pack per day. Examination shows dullness to percussion "
    "and bronchial breath sounds over the right lower zone. What is the most likely diagnosis?";
// The same vignette with one word changed: 3-word shingle Jaccard 0.875.
const char* const kVignetteEdited =
    "A 54-year-old woman presents with four days of fever, productive cough and pleuritic chest pain. She "
    "has a history of type 2 diabetes and smokes one pack per day. Examination shows dullness to percussion "
    "and bronchial breath sounds over the right lower zone. What is the most likely diagnosis?";

Fixture make_fixture() {
    Fixture fixture;
    fixture.dir = testing::make_temp_dir("leakage-checks");
    const fs::path rad = testing::shared_data_dir() / "vqa_rad/images";
    const fs::path train_images = fixture.dir / "train";
    const fs::path eval_images = fixture.dir / "eval";
    fs::create_directories(train_images);
    fs::create_directories(eval_images);

    // Train: three real images and one whose name the eval side reuses.
    fs::copy_file(rad / "synpic54610.jpg", train_images / "a.jpg");
    fs::copy_file(rad / "synpic29265.jpg", train_images / "b.jpg");
    fs::copy_file(rad / "synpic28602.jpg", train_images / "c.jpg");
    fs::copy_file(rad / "synpic42202.jpg", train_images / "shared_name.jpg");

    // Eval: a byte copy of a, b stored losslessly as PNG, c resized and
    // re-compressed, a different image under train's name, and an image
    // whose name reveals its answer.
    fs::copy_file(rad / "synpic54610.jpg", eval_images / "a_copy.jpg");
    const cv::Mat b = cv::imread((rad / "synpic29265.jpg").string(), cv::IMREAD_UNCHANGED);
    cv::imwrite((eval_images / "b.png").string(), b);
    const cv::Mat c = cv::imread((rad / "synpic28602.jpg").string(), cv::IMREAD_COLOR);
    cv::Mat smaller;
    cv::resize(c, smaller, cv::Size(), 0.75, 0.75, cv::INTER_AREA);
    cv::imwrite((eval_images / "c_small.jpg").string(), smaller, {cv::IMWRITE_JPEG_QUALITY, 80});
    fs::copy_file(rad / "synpic31757.jpg", eval_images / "shared_name.jpg");
    fs::copy_file(rad / "synpic20260.jpg", eval_images / "pneumothorax_case.jpg");

    testing::write_text(fixture.dir / "train.jsonl",
                        line("t1", "a.jpg", "Is there a pneumothorax?", "Yes") +
                            line("t2", "b.jpg", "What organ is shown?", "brain") +
                            line("t3", "c.jpg", kVignette, "pneumonia") +
                            line("t4", "shared_name.jpg", "Is the heart enlarged?", "no"));
    testing::write_text(fixture.dir / "eval.jsonl",
                        line("e1", "a_copy.jpg", "Is there a pneumothorax ?", "yes") +
                            line("e2", "b.png", "Which plane is this?", "axial") +
                            line("e3", "c_small.jpg", kVignetteEdited, "lung abscess") +
                            line("e4", "shared_name.jpg", "Is the heart enlarged?", "No.") +
                            line("e5", "pneumothorax_case.jpg", "What is the finding?", "pneumothorax"));

    const auto spec = [&](const std::string& name, const fs::path& images) {
        return parse_source_spec("benchmark=generic,data=" + (fixture.dir / (name + ".jsonl")).string() +
                                 ",images=" + images.string() + ",name=" + name);
    };
    fixture.train = load_sources({spec("train", train_images)}, SourceLoadOptions{});
    fixture.eval = load_sources({spec("eval", eval_images)}, SourceLoadOptions{});
    return fixture;
}

// "check train_id eval_id" for every pair, in result order.
std::vector<std::string> pair_lines(const Fixture& fixture, const LeakageResult& result) {
    std::vector<std::string> lines;
    for (const auto& pair : result.pairs) {
        lines.push_back(leakage_check_name(pair.check) + " " +
                        fixture.train[pair.train.source].records[pair.train.record].id + " " +
                        fixture.eval[pair.eval.source].records[pair.eval.record].id);
    }
    return lines;
}

TEST(LeakageChecks, EachCheckFindsItsPairs) {
    Fixture fixture = make_fixture();
    LeakageSettings settings;
    settings.threads = 2;
    const LeakageResult result = find_leakage(fixture.train, fixture.eval, settings);

    const std::vector<std::string> expected = {
        "image_name t4 e4",
        "image_file_sha256 t1 e1",
        "image_pixel_sha256 t2 e2",
        "image_phash t3 e3",
        "question_exact t1 e1",
        "question_exact t4 e4",
        "question_near_duplicate t3 e3",
        "qa_pair_same_image t1 e1",
        "qa_pair_different_image t4 e4",
    };
    EXPECT_EQ(pair_lines(fixture, result), expected);
    EXPECT_EQ(result.images.paths.size(), 9u);

    for (const auto& pair : result.pairs) {
        if (pair.check == LeakageCheck::ImagePhash) {
            EXPECT_LE(pair.distance, settings.phash_max_distance);
        }
        if (pair.check == LeakageCheck::QuestionNearDuplicate) {
            EXPECT_GT(pair.distance, 0.0);
            EXPECT_LE(pair.distance, 1.0 - settings.question_jaccard);
        }
    }

    const EvalSplitTotals& split = result.eval_splits.at(0);
    EXPECT_EQ(split.records, 5u);
    EXPECT_EQ(split.images, 5u);
    EXPECT_EQ(split.images_any_image_check, 4u);
    EXPECT_EQ(split.records_any_check, 4u);
    EXPECT_EQ(result.totals.at(LeakageCheck::QuestionExact).eval_records, 2u);
    EXPECT_EQ(result.totals.at(LeakageCheck::ImagePhash).eval_images, 1u);

    ASSERT_EQ(result.label_reveals.size(), 1u);
    EXPECT_TRUE(result.label_reveals[0].eval);
    EXPECT_EQ(result.label_reveals[0].reveal.text, "pneumothorax_case.jpg");
}

TEST(LeakageChecks, ThresholdsAreHonoured) {
    Fixture fixture = make_fixture();
    LeakageSettings settings;
    settings.phash_max_distance = 64;
    settings.question_jaccard = 0.95;
    const LeakageResult result = find_leakage(fixture.train, fixture.eval, settings);
    // At 64 bits every eval image matches every train image it does not
    // already match by bytes or pixels: 5 x 4 image pairs less those two.
    EXPECT_EQ(result.totals.at(LeakageCheck::ImagePhash).pairs, 18u);
    EXPECT_EQ(result.totals.at(LeakageCheck::ImageFileSha256).pairs, 1u);
    EXPECT_EQ(result.totals.at(LeakageCheck::ImagePixelSha256).pairs, 1u);
    // The edited vignette is at Jaccard 0.875, below 0.95.
    EXPECT_EQ(result.totals.at(LeakageCheck::QuestionNearDuplicate).pairs, 0u);
}

TEST(LeakageChecks, UndecodableImageStopsOrIsListed) {
    Fixture fixture = make_fixture();
    testing::write_text(fixture.dir / "eval/b.png", "not an image");
    LeakageSettings settings;
    try {
        (void)find_leakage(fixture.train, fixture.eval, settings);
        FAIL() << "expected an InputError";
    } catch (const InputError& e) {
        EXPECT_NE(std::string(e.what()).find("record id=e2"), std::string::npos) << e.what();
        EXPECT_NE(std::string(e.what()).find("--skip-invalid"), std::string::npos) << e.what();
    }

    Fixture again = make_fixture();
    testing::write_text(again.dir / "eval/b.png", "not an image");
    settings.skip_invalid = true;
    const LeakageResult result = find_leakage(again.train, again.eval, settings);
    EXPECT_EQ(result.totals.at(LeakageCheck::ImagePixelSha256).pairs, 0u);
    EXPECT_EQ(result.eval_splits.at(0).images_unusable, 1u);
    EXPECT_FALSE(again.eval[0].records[1].images_usable());
}

TEST(LeakageReport, JsonAndMarkdown) {
    Fixture fixture = make_fixture();
    LeakageSettings settings;
    const LeakageResult result = find_leakage(fixture.train, fixture.eval, settings);
    const LeakageReport report{fixture.train, fixture.eval, settings, result, 0};
    write_leakage_report(fixture.dir, report);

    const auto json = nlohmann::json::parse(read_file(fixture.dir / "leakage.json"));
    ASSERT_EQ(json.at("pairs").size(), result.pairs.size());
    const auto& first = json.at("pairs").at(0);
    EXPECT_EQ(first.at("check"), "image_name");
    EXPECT_EQ(first.at("train_id"), "t4");
    EXPECT_EQ(first.at("eval_id"), "e4");
    EXPECT_EQ(first.at("distance"), 0);
    EXPECT_EQ(first.at("train_source"), "train");
    EXPECT_EQ(first.at("eval_image"), "shared_name.jpg");
    EXPECT_EQ(json.at("checks").size(), all_leakage_checks().size());
    EXPECT_EQ(json.at("eval_splits").at(0).at("image_names_any_image_check"), 4);
    EXPECT_EQ(json.at("label_reveals").size(), 1u);

    const LeakageReport capped{fixture.train, fixture.eval, settings, result, 1};
    write_leakage_json(fixture.dir / "capped.json", capped);
    const auto capped_json = nlohmann::json::parse(read_file(fixture.dir / "capped.json"));
    EXPECT_EQ(capped_json.at("pairs").size(), 8u);  // question_exact has two pairs, listed once
    EXPECT_EQ(capped_json.at("checks").at(4).at("pairs"), 2);
    EXPECT_EQ(capped_json.at("checks").at(4).at("pairs_listed"), 1);

    const std::string md = read_file(fixture.dir / "leakage.md");
    EXPECT_NE(md.find("| eval | 4 / 5 (80.0 %) | 1 | 1 | 1 | 1 | 4 / 5 (80.0 %) |"), std::string::npos) << md;
    EXPECT_NE(md.find("| train:t4 | eval:e4 | 0 | shared_name.jpg | shared_name.jpg |"),
              std::string::npos)
        << md;
    EXPECT_NE(md.find("pneumothorax_case.jpg"), std::string::npos);
}

}  // namespace
}  // namespace medvlm
