// summary.json "work" and the report's Work section.

#include <gtest/gtest.h>

#include <vector>

#include "report/work_summary.hpp"

namespace medvlm {
namespace {

Prediction call(int encodes, int new_chunks, int64_t evaluated, int64_t reused, int64_t new_tokens) {
    Prediction prediction;
    prediction.image_encodes = encodes;
    prediction.new_image_chunks = new_chunks;
    prediction.prompt_tokens_evaluated = evaluated;
    prediction.prompt_tokens_reused = reused;
    prediction.new_prompt_tokens = new_tokens;
    prediction.prompt_tokens = evaluated + reused;
    return prediction;
}

nlohmann::json manifest(bool counts_work) {
    nlohmann::json engine = {{"kind", "test"}};
    if (counts_work) {
        engine["counts_work"] = true;
    }
    return {{"engine", engine}};
}

TEST(WorkSummary, SumsCountersAndRatios) {
    const std::vector<Prediction> predictions = {call(1, 1, 100, 0, 100), call(0, 0, 30, 70, 20),
                                                 call(1, 0, 100, 0, 0)};
    const nlohmann::json work = summarize_work(manifest(true), predictions);
    EXPECT_TRUE(work.at("counted_by_engine").get<bool>());
    EXPECT_EQ(work.at("calls").get<int64_t>(), 3);
    EXPECT_EQ(work.at("image_encodes").get<int64_t>(), 2);
    EXPECT_EQ(work.at("image_encodes_minimum").get<int64_t>(), 1);
    EXPECT_EQ(work.at("prompt_tokens").get<int64_t>(), 300);
    EXPECT_EQ(work.at("prompt_tokens_evaluated").get<int64_t>(), 230);
    EXPECT_EQ(work.at("prompt_tokens_reused").get<int64_t>(), 70);
    EXPECT_EQ(work.at("prompt_tokens_minimum").get<int64_t>(), 120);
    EXPECT_DOUBLE_EQ(work.at("image_encodes_over_minimum").get<double>(), 2.0);
    EXPECT_DOUBLE_EQ(work.at("prompt_tokens_evaluated_over_minimum").get<double>(), 230.0 / 120.0);
}

TEST(WorkSummary, ZeroMinimumHasNoRatio) {
    const nlohmann::json work = summarize_work(manifest(true), {call(0, 0, 0, 0, 0)});
    EXPECT_TRUE(work.at("image_encodes_over_minimum").is_null());
    EXPECT_TRUE(work.at("prompt_tokens_evaluated_over_minimum").is_null());
    const std::string section = render_work_section(work);
    EXPECT_NE(section.find("| Image encodes | 0 | 0 | n/a |"), std::string::npos) << section;
}

TEST(WorkSummary, ReportShowsTheTable) {
    const nlohmann::json work = summarize_work(manifest(true), {call(2, 1, 150, 50, 100)});
    const std::string section = render_work_section(work);
    EXPECT_NE(section.find("| Image encodes | 2 | 1 | 2.00x |"), std::string::npos) << section;
    EXPECT_NE(section.find("| Prompt tokens evaluated | 150 | 100 | 1.50x |"), std::string::npos) << section;
    EXPECT_NE(section.find("reused from the KV cache: 50 of 200 (25.0 %)"), std::string::npos) << section;
}

TEST(WorkSummary, RemoteEngineReportsPromptTokensOnly) {
    const nlohmann::json work = summarize_work(manifest(false), {call(0, 0, 40, 0, 0)});
    EXPECT_FALSE(work.at("counted_by_engine").get<bool>());
    EXPECT_FALSE(work.contains("prompt_tokens_evaluated"));
    EXPECT_EQ(work.at("prompt_tokens").get<int64_t>(), 40);
    const std::string section = render_work_section(work);
    EXPECT_NE(section.find("does not count"), std::string::npos) << section;
}

}  // namespace
}  // namespace medvlm
