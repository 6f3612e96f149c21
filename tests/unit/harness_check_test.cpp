// The harness check of medvlm compare on manifests that differ in one field
// at a time.

#include <gtest/gtest.h>

#include <algorithm>

#include "compare/harness_check.hpp"
#include "prompts/prompt_builder.hpp"
#include "scoring/normalize.hpp"
#include "scoring/short_answer.hpp"

namespace medvlm {
namespace {

nlohmann::json manifest() {
    return {{"benchmark", "slake"},
            {"task", "short-answer"},
            {"data",
             {{"file", "/data/slake/test.json"}, {"sha256", "aaaa"}, {"split", "test"}, {"lang", "en"},
              {"images_sha256", "bbbb"}, {"stand_in_images", false}, {"limit", 50}}},
            {"protocol", {{"modes", {"image+text", "text-only"}}, {"rotations", 1}, {"scoring", "generate"}, {"seed", 0}}},
            {"prompts", PromptTexts::defaults().to_json()},
            {"decoding", {{"strategy", "greedy"}, {"temperature", 0}, {"max_new_tokens", 16}}},
            {"extractor_version", ""},
            {"metric_definitions", short_answer_metric_definitions(NormalizeOptions{})},
            {"image_limits", {{"max_pixels", 1000}, {"max_file_bytes", 2000}}},
            {"engine", {{"kind", "llama"}, {"model", "a.gguf"}, {"model_sha256", "cccc"}}}};
}

bool lists(const std::vector<std::string>& differences, const std::string& text) {
    return std::any_of(differences.begin(), differences.end(),
                       [&](const std::string& line) { return line.find(text) != std::string::npos; });
}

TEST(HarnessCheck, SameHarnessOtherModel) {
    nlohmann::json other = manifest();
    other["engine"]["model"] = "b.gguf";
    other["engine"]["model_sha256"] = "dddd";
    other["data"]["file"] = "/elsewhere/test.json";  // the same bytes at another path
    EXPECT_TRUE(harness_differences(manifest(), "run A", other, "run B").empty());
}

TEST(HarnessCheck, PromptTextIsNamed) {
    PromptTexts prompts = PromptTexts::defaults();
    prompts.short_answer += " Answer in one word.";
    nlohmann::json other = manifest();
    other["prompts"] = prompts.to_json();
    const auto differences = harness_differences(manifest(), "run A", other, "run B");
    ASSERT_EQ(differences.size(), 1u);
    EXPECT_TRUE(lists(differences, "prompts.sha256.short_answer: run A ")) << differences.front();
    EXPECT_TRUE(lists(differences, ", run B " + prompts.to_json().at("sha256").at("short_answer").get<std::string>()));
}

TEST(HarnessCheck, EveryHarnessFieldIsChecked) {
    const std::vector<std::pair<std::vector<std::string>, nlohmann::json>> changes = {
        {{"data", "sha256"}, "ffff"},
        {{"data", "split"}, "train"},
        {{"data", "lang"}, "zh"},
        {{"decoding", "max_new_tokens"}, 8},
        {{"extractor_version"}, "choice-extractor/2"},
        {{"metric_definitions", "exact_match"}, "something else"},
        {{"protocol", "scoring"}, "choice-logprob"},
    };
    for (const auto& [path, value] : changes) {
        nlohmann::json other = manifest();
        nlohmann::json* field = &other;
        for (const auto& key : path) {
            field = &(*field)[key];
        }
        *field = value;
        std::string dotted;
        for (const auto& key : path) {
            dotted += (dotted.empty() ? "" : ".") + key;
        }
        const auto differences = harness_differences(manifest(), "run A", other, "run B");
        ASSERT_EQ(differences.size(), 1u) << dotted;
        EXPECT_TRUE(differences.front().starts_with(dotted + ": ")) << differences.front();
    }
}

TEST(HarnessCheck, ShuffleSeedMattersOnlyWithShuffledImages) {
    nlohmann::json other = manifest();
    other["protocol"]["seed"] = 7;
    EXPECT_TRUE(harness_differences(manifest(), "run A", other, "run B").empty());

    nlohmann::json first = manifest();
    first["protocol"]["modes"] = {"image+text", "shuffled-image"};
    other["protocol"]["modes"] = {"image+text", "shuffled-image"};
    EXPECT_TRUE(lists(harness_differences(first, "run A", other, "run B"), "protocol.seed: run A 0, run B 7"));
}

TEST(HarnessCheck, ImagesAreComparedPerSharedExample) {
    // Run B evaluated fewer rows, so only the shared rows are compared.
    const ExampleIndex first({{"q1", "en", "a.jpg", {}, {"s1"}}, {"q2", "en", "b.jpg", {}, {"s2"}},
                              {"q3", "en", "c.jpg", {}, {"s3"}}},
                             {});
    const ExampleIndex same({{"q1", "en", "a.jpg", {}, {"s1"}}, {"q2", "en", "b.jpg", {}, {"s2"}}}, {});
    EXPECT_TRUE(image_differences(first, "run A", same, "run B").empty());
    const ExampleIndex changed({{"q1", "en", "a.jpg", {}, {"s1"}}, {"q2", "en", "b.jpg", {}, {"other"}}}, {});
    const auto differences = image_differences(first, "run A", changed, "run B");
    ASSERT_EQ(differences.size(), 1u);
    EXPECT_EQ(differences.front(), "images of example q2: run A [\"s2\"], run B [\"other\"]");
}

TEST(HarnessCheck, ModesMayDiffer) {
    nlohmann::json other = manifest();
    other["protocol"]["modes"] = {"image+text"};
    EXPECT_TRUE(harness_differences(manifest(), "run A", other, "run B").empty());
}

}  // namespace
}  // namespace medvlm
