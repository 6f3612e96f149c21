// run_eval on real MedXpertQA-MM records: all five modes with rotations,
// both scoring methods, the auditable shuffled-image pairing, the canary
// and the baselines. The images are generated stand-ins named as the
// records name them (the real images are not available), and the run must
// state that.

#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <set>

#include "core/error.hpp"
#include "core/files.hpp"
#include "engine/llama_engine.hpp"
#include "prompts/shuffle.hpp"
#include "run/eval_runner.hpp"
#include "support/stand_in_support.hpp"
#include "support/test_support.hpp"

namespace medvlm {
namespace {

// Returns one fixed reply to every call and reports its images as encoded.
class FixedReplyEngine : public Engine {
public:
    explicit FixedReplyEngine(std::string reply) : reply_(std::move(reply)) {}
    [[nodiscard]] nlohmann::json describe() const override { return {{"kind", "fixed-reply"}}; }
    [[nodiscard]] bool supports_choice_logprob() const override { return false; }
    [[nodiscard]] EngineResult run(const EngineRequest& request) override {
        ++calls_;
        EngineResult result;
        result.text = reply_;
        result.images_encoded = static_cast<int>(request.images.size());
        result.image_chunks = static_cast<int>(request.images.size());
        result.image_tokens = 8 * static_cast<int64_t>(request.images.size());
        result.prompt_tokens = 100 + result.image_tokens;
        return result;
    }
    [[nodiscard]] int calls() const { return calls_; }

private:
    std::string reply_;
    int calls_ = 0;
};

EvalConfig medxpertqa_config(const Dataset& dataset, std::vector<AblationMode> modes, int rotations) {
    EvalConfig config;
    config.dataset = dataset.options;
    config.modes = std::move(modes);
    config.rotations = rotations;
    config.seed = 9;
    config.out_dir = testing::make_temp_dir("medxpertqa-eval") / "run";
    return config;
}

std::unique_ptr<Engine> tiny_engine() {
    return make_llama_engine(testing::tiny_engine_options(testing::tiny_model()));
}

std::vector<std::string> image_names(const Example& example) {
    std::vector<std::string> names;
    for (const auto& image : example.images) {
        names.push_back(image.name);
    }
    return names;
}

void expect_mode_summary_keys(const nlohmann::json& summary) {
    for (const auto mode : all_modes()) {
        const std::string name = mode_name(mode);
        ASSERT_TRUE(summary.at("modes").contains(name)) << name;
        const auto& stats = summary.at("modes").at(name);
        for (const char* key : {"accuracy", "rotation_mean_accuracy", "semantic_consistency", "unknown_rate",
                                "answer_distribution", "per_letter_accuracy", "accuracy_by_gold_position",
                                "letter_bias", "truncation_rate", "baselines"}) {
            EXPECT_TRUE(stats.contains(key)) << name << " lacks " << key;
        }
        for (const char* key : {"random", "best_constant_letter", "majority_label"}) {
            EXPECT_TRUE(stats.at("baselines").contains(key)) << name << " lacks baseline " << key;
        }
        EXPECT_FALSE(stats.at("semantic_consistency").is_null()) << name;
        EXPECT_EQ(stats.at("image_not_received").is_null(), !mode_sends_images(mode)) << name;
    }
}

TEST(MedXpertQaEval, AllModesTwoRotationsOnStandInImages) {
    const Dataset dataset = testing::load_medxpertqa_with_stand_ins(6);
    ASSERT_EQ(dataset.examples.size(), 6u);
    const EvalConfig config = medxpertqa_config(dataset, all_modes(), 2);
    const auto engine = tiny_engine();
    const EvalOutcome outcome = run_eval(config, dataset, *engine);

    const auto predictions = testing::read_jsonl(config.out_dir / "predictions.jsonl");
    ASSERT_EQ(predictions.size(), 6u * 5u * 2u);
    std::map<std::string, const Example*> rows;
    for (const auto& example : dataset.examples) {
        rows[example.id] = &example;
    }
    const auto partners = shuffled_image_partners(dataset.examples, config.seed);
    // Rows that got another image count although other rows share theirs.
    std::set<std::string> count_mismatches;
    for (const auto& prediction : predictions) {
        const std::string id = prediction.at("id");
        const AblationMode mode = parse_mode(prediction.at("mode").get<std::string>());
        const std::string context = id + " " + mode_name(mode) + " rotation " + prediction.at("rotation").dump();
        ASSERT_TRUE(prediction.at("ok").get<bool>()) << context << ": " << prediction.at("error");
        const auto sent = prediction.at("images_sent").get<std::vector<std::string>>();
        const std::string source = prediction.at("image_source_id");
        if (!mode_sends_images(mode)) {
            EXPECT_TRUE(sent.empty()) << context;
            EXPECT_EQ(source, "") << context;
            EXPECT_EQ(prediction.at("image_tokens").get<int64_t>(), 0) << context;
            continue;
        }
        EXPECT_GT(prediction.at("image_tokens").get<int64_t>(), 0) << context;
        EXPECT_EQ(prediction.at("images_encoded").get<int>(), static_cast<int>(sent.size())) << context;
        if (mode == AblationMode::ShuffledImage) {
            // The pairing in predictions.jsonl is the seeded derangement.
            const auto row = static_cast<size_t>(std::find_if(dataset.examples.begin(), dataset.examples.end(),
                                                              [&](const Example& e) { return e.id == id; }) -
                                                 dataset.examples.begin());
            const Example& partner = dataset.examples[partners[row]];
            EXPECT_NE(source, id) << context;
            EXPECT_EQ(source, partner.id) << context;
            EXPECT_EQ(sent, image_names(partner)) << context;
            const size_t own_count = rows.at(id)->images.size();
            const auto same_count = std::count_if(dataset.examples.begin(), dataset.examples.end(),
                                                  [&](const Example& e) { return e.images.size() == own_count; });
            if (same_count >= 2 && sent.size() != own_count) {
                count_mismatches.insert(id);
            }
        } else {
            EXPECT_EQ(source, id) << context;
            EXPECT_EQ(sent, image_names(*rows.at(id))) << context;
        }
    }

    // The first six rows have one 2-image row (MM-0) and five 1-image rows.
    // The derangement sends every image set exactly once, so the lone
    // 2-image set goes to one 1-image row, and no other row differs.
    EXPECT_LE(count_mismatches.size(), 1u);

    const auto summary = read_json_file(config.out_dir / "summary.json");
    expect_mode_summary_keys(summary);
    EXPECT_TRUE(summary.at("stand_in_images").get<bool>());
    EXPECT_TRUE(summary.at("valid").get<bool>()) << summary.at("invalid_reasons").dump();
    const auto manifest = read_json_file(config.out_dir / "manifest.json");
    EXPECT_TRUE(manifest.at("data").at("stand_in_images").get<bool>());
    bool stand_in_finding = false;
    for (const auto& item : summary.at("interpretation")) {
        EXPECT_NE(item.at("finding"), "images likely help");
        EXPECT_NE(item.at("finding"), "correct images matter");
        stand_in_finding = stand_in_finding || item.at("finding") == "stand-in images";
    }
    EXPECT_TRUE(stand_in_finding);

    const std::string report = read_file(config.out_dir / "report.md");
    EXPECT_NE(report.find("**Stand-in images.**"), std::string::npos);
    EXPECT_NE(report.find("| Benchmark | Mode | Score | 95 % CI | Interpretation |"), std::string::npos);
    for (const auto mode : all_modes()) {
        EXPECT_NE(report.find("| medxpertqa-mm test | " + mode_name(mode) + " |"), std::string::npos) << mode_name(mode);
    }
}

TEST(MedXpertQaEval, ChoiceLogprobHasNoUnknown) {
    const Dataset dataset = testing::load_medxpertqa_with_stand_ins(4);
    EvalConfig config = medxpertqa_config(dataset, all_modes(), 2);
    config.scoring = Scoring::ChoiceLogprob;
    const auto engine = tiny_engine();
    (void)run_eval(config, dataset, *engine);

    const auto predictions = testing::read_jsonl(config.out_dir / "predictions.jsonl");
    ASSERT_EQ(predictions.size(), 4u * 5u * 2u);
    for (const auto& prediction : predictions) {
        const std::string context = prediction.at("id").get<std::string>() + " " + prediction.at("mode").get<std::string>();
        ASSERT_TRUE(prediction.at("ok").get<bool>()) << context;
        EXPECT_FALSE(prediction.at("unknown").get<bool>()) << context;
        EXPECT_EQ(prediction.at("extraction_rule"), "choice_logprob") << context;
        EXPECT_EQ(prediction.at("choice_logprobs").size(), 5u) << context;
        EXPECT_EQ(prediction.at("generated_tokens").get<int64_t>(), 0) << context;
    }
    const auto summary = read_json_file(config.out_dir / "summary.json");
    expect_mode_summary_keys(summary);
    for (const auto mode : all_modes()) {
        const auto& stats = summary.at("modes").at(mode_name(mode));
        EXPECT_DOUBLE_EQ(stats.at("unknown_rate").get<double>(), 0.0) << mode_name(mode);
        ASSERT_FALSE(stats.at("choice_probabilities").is_null()) << mode_name(mode);
        EXPECT_LE(stats.at("choice_probabilities").at("mean_option_probability_mass").get<double>(), 1.0 + 1e-9);
    }
}

TEST(MedXpertQaEval, EngineWithoutLogprobsRejectsChoiceLogprob) {
    const Dataset dataset = testing::load_medxpertqa_with_stand_ins(3);
    EvalConfig config = medxpertqa_config(dataset, {AblationMode::TextOnly}, 1);
    config.scoring = Scoring::ChoiceLogprob;
    FixedReplyEngine engine("A");
    try {
        (void)run_eval(config, dataset, engine);
        FAIL() << "choice-logprob ran on an engine without log-probabilities";
    } catch (const InputError& e) {
        EXPECT_NE(std::string(e.what()).find("cannot return log-probabilities"), std::string::npos) << e.what();
        EXPECT_NE(std::string(e.what()).find("--scoring generate"), std::string::npos) << e.what();
    }
    EXPECT_EQ(engine.calls(), 0);
    EXPECT_FALSE(std::filesystem::exists(config.out_dir / "predictions.jsonl"));
}

TEST(MedXpertQaEval, ConstantLetterBaselineIsMostCommonLabelShare) {
    // Labels counted straight from the records file, not through medvlm.
    for (const size_t limit : {size_t{20}, size_t{0}}) {
        std::map<std::string, int64_t> labels;
        int64_t rows = 0;
        for (const auto& record : testing::read_jsonl(testing::medxpertqa_records_file())) {
            if (limit != 0 && static_cast<size_t>(rows) == limit) {
                break;
            }
            labels[record.at("label").get<std::string>()] += 1;
            ++rows;
        }
        int64_t most = 0;
        for (const auto& [label, count] : labels) {
            most = std::max(most, count);
        }
        const double expected = static_cast<double>(most) / static_cast<double>(rows);

        const Dataset dataset = testing::load_medxpertqa_with_stand_ins(limit);
        ASSERT_EQ(static_cast<int64_t>(dataset.examples.size()), rows);
        FixedReplyEngine engine("C");
        const EvalConfig config = medxpertqa_config(dataset, {AblationMode::TextOnly, AblationMode::ImageText}, 1);
        const EvalOutcome outcome = run_eval(config, dataset, engine);
        const auto& baselines = outcome.summary.at("baselines");
        EXPECT_DOUBLE_EQ(baselines.at("best_constant_letter").at("accuracy").get<double>(), expected) << limit;
        EXPECT_EQ(labels.at(baselines.at("best_constant_letter").at("letter").get<std::string>()), most) << limit;
        for (const char* mode : {"text-only", "image+text"}) {
            const auto& mode_baselines = outcome.summary.at("modes").at(mode).at("baselines");
            EXPECT_DOUBLE_EQ(mode_baselines.at("best_constant_letter").at("accuracy").get<double>(), expected) << mode;
            EXPECT_DOUBLE_EQ(mode_baselines.at("majority_label").at("share").get<double>(), expected) << mode;
            // Always answering C scores exactly C's share.
            EXPECT_DOUBLE_EQ(outcome.summary.at("modes").at(mode).at("accuracy").get<double>(),
                             static_cast<double>(labels["C"]) / static_cast<double>(rows))
                << mode;
        }
    }
}

TEST(MedXpertQaEval, ImageNotReceivedRepliesAreListed) {
    const Dataset dataset = testing::load_medxpertqa_with_stand_ins(5);
    FixedReplyEngine engine("I'm sorry, but I cannot see the image you are referring to.");
    const EvalConfig config = medxpertqa_config(dataset, all_modes(), 1);
    const EvalOutcome outcome = run_eval(config, dataset, engine);
    for (const auto mode : all_modes()) {
        const auto& canary = outcome.summary.at("modes").at(mode_name(mode)).at("image_not_received");
        if (!mode_sends_images(mode)) {
            EXPECT_TRUE(canary.is_null()) << mode_name(mode);
            continue;
        }
        EXPECT_EQ(canary.at("count").get<int64_t>(), 5) << mode_name(mode);
        EXPECT_EQ(canary.at("replies").size(), 5u) << mode_name(mode);
        EXPECT_DOUBLE_EQ(canary.at("rate").get<double>(), 1.0) << mode_name(mode);
    }
    const std::string report = read_file(config.out_dir / "report.md");
    EXPECT_NE(report.find("- image+text: 5 of 5 answered calls (100.0 %)"), std::string::npos) << report;
}

}  // namespace
}  // namespace medvlm
