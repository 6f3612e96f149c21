// The multiple-choice protocol on real MedXpertQA-MM records, without a
// model: rotated prompt texts against a golden file, the call plan of all
// five modes, and the shuffled-image derangement. The images are generated
// stand-ins named as the records name them (the real ones are not
// available); only their names, count and hashes matter here.

#include <gtest/gtest.h>

#include <set>

#include "core/files.hpp"
#include "data/loaders.hpp"
#include "prompts/prompt_builder.hpp"
#include "prompts/shuffle.hpp"
#include "run/call_plan.hpp"
#include "support/stand_in_support.hpp"
#include "support/test_support.hpp"

namespace medvlm {
namespace {

std::set<std::string> image_hashes(const Example& example) {
    std::set<std::string> hashes;
    for (const auto& image : example.images) {
        hashes.insert(image.sha256);
    }
    return hashes;
}

TEST(MedXpertQaProtocol, RotationGoldenTexts) {
    // tests/golden/medxpertqa_rotation.jsonl contains the exact user text
    // for real records. The inline "Answer Choices: (A) ... (E)" block is
    // gone, and the one remaining list shows the rotated order.
    const auto file = testing::medxpertqa_records_file();
    const auto examples = parse_medxpertqa_mm(file.string(), read_file(file), ParseOptions{}).examples;
    std::map<std::string, const Example*> by_id;
    for (const auto& example : examples) {
        by_id[example.id] = &example;
    }
    const auto golden =
        testing::read_jsonl(std::filesystem::path(MEDVLM_SOURCE_DIR) / "tests/golden/medxpertqa_rotation.jsonl");
    ASSERT_GE(golden.size(), 9u);
    for (const auto& row : golden) {
        const std::string id = row.at("id");
        ASSERT_TRUE(by_id.contains(id)) << id;
        const AblationMode mode = parse_mode(row.at("mode").get<std::string>());
        const int rotation = row.at("rotation");
        const BuiltPrompt prompt = build_prompt(*by_id.at(id), mode, rotation, PromptTexts::defaults(), false);
        EXPECT_EQ(prompt.user_text, row.at("user_text").get<std::string>())
            << id << " " << mode_name(mode) << " rotation " << rotation;
    }
}

TEST(MedXpertQaProtocol, DerangementOnRealRecords) {
    const Dataset dataset = testing::load_medxpertqa_with_stand_ins(0);
    ASSERT_EQ(dataset.examples.size(), 300u);
    const auto& examples = dataset.examples;
    const auto partners = shuffled_image_partners(examples, 11);
    ASSERT_EQ(partners.size(), examples.size());
    for (size_t row = 0; row < examples.size(); ++row) {
        ASSERT_NE(partners[row], row) << examples[row].id;
        const auto own = image_hashes(examples[row]);
        for (const auto& hash : image_hashes(examples[partners[row]])) {
            ASSERT_FALSE(own.contains(hash)) << examples[row].id << " receives one of its own images";
        }
        // Every image count (1 to 6) occurs in at least two rows of the
        // sample, so every row gets as many images as it has.
        ASSERT_EQ(examples[partners[row]].images.size(), examples[row].images.size()) << examples[row].id;
    }
    EXPECT_EQ(shuffled_image_partners(examples, 11), partners);
    EXPECT_NE(shuffled_image_partners(examples, 12), partners);
}

TEST(MedXpertQaProtocol, CallPlanOfAllFiveModes) {
    const Dataset dataset = testing::load_medxpertqa_with_stand_ins(30);
    ASSERT_EQ(dataset.examples.size(), 30u);
    EXPECT_TRUE(dataset.stand_in_images);
    EvalConfig config;
    config.dataset = dataset.options;
    config.modes = all_modes();
    config.rotations = 2;
    config.seed = 5;
    const auto plan = plan_calls(config, dataset);
    ASSERT_EQ(plan.size(), 30u * 5u * 2u);

    for (const auto& call : plan) {
        const Example& example = *call.example;
        const EngineRequest& request = call.request;
        const std::string context = example.id + " " + mode_name(call.mode) + " rotation " + std::to_string(call.rotation);
        switch (call.mode) {
            case AblationMode::TextOnly:
            case AblationMode::OptionsOnly:
                EXPECT_TRUE(request.images.empty()) << context;
                EXPECT_EQ(call.image_source, nullptr) << context;
                break;
            case AblationMode::ImageText:
            case AblationMode::ImageOptionsOnly:
                ASSERT_EQ(call.image_source, &example) << context;
                ASSERT_EQ(request.images.size(), example.images.size()) << context;
                for (size_t i = 0; i < example.images.size(); ++i) {
                    EXPECT_EQ(request.images[i].path, example.images[i].path) << context;
                }
                break;
            case AblationMode::ShuffledImage: {
                ASSERT_NE(call.image_source, nullptr) << context;
                EXPECT_NE(call.image_source->id, example.id) << context;
                ASSERT_EQ(request.images.size(), call.image_source->images.size()) << context;
                const auto own = image_hashes(example);
                for (const auto& image : request.images) {
                    EXPECT_FALSE(own.contains(image.sha256)) << context;
                }
                break;
            }
        }

        // Options-only modes leak no part of the vignette through any field.
        if (call.mode == AblationMode::OptionsOnly || call.mode == AblationMode::ImageOptionsOnly) {
            const std::string stem = strip_answer_choices(example.question);
            for (size_t start = 0; start + 30 <= stem.size(); start += 30) {
                const std::string piece = stem.substr(start, 30);
                ASSERT_EQ(request.user_text.find(piece), std::string::npos) << context << ": " << piece;
                ASSERT_EQ(request.system.find(piece), std::string::npos) << context;
                ASSERT_EQ(request.assistant_prefix.find(piece), std::string::npos) << context;
            }
            for (const auto& image : request.images) {
                ASSERT_EQ(image.path.string().find(stem.substr(0, 20)), std::string::npos) << context;
            }
        }

        // One choice list, in the rotated order.
        EXPECT_EQ(request.user_text.find("Answer Choices:"), request.user_text.rfind("Answer Choices:")) << context;
        EXPECT_EQ(request.choice_letters, (std::vector<std::string>{"A", "B", "C", "D", "E"})) << context;
        EXPECT_EQ(call.prompt.shown_to_original, rotation_order(5, call.rotation)) << context;
    }
}

}  // namespace
}  // namespace medvlm
