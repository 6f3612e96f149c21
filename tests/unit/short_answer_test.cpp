// Golden tables: tests/golden/normalize.jsonl and short_answer.jsonl.

#include <gtest/gtest.h>

#include "scoring/normalize.hpp"
#include "scoring/short_answer.hpp"
#include "support/test_support.hpp"

namespace medvlm {
namespace {

std::filesystem::path golden(const std::string& name) {
    return std::filesystem::path(MEDVLM_SOURCE_DIR) / "tests/golden" / name;
}

TEST(Normalize, GoldenTable) {
    const auto rows = testing::read_jsonl(golden("normalize.jsonl"));
    ASSERT_FALSE(rows.empty());
    for (const auto& row : rows) {
        NormalizeOptions options;
        options.english = row.at("english").get<bool>();
        options.number_words = row.at("number_words").get<bool>();
        EXPECT_EQ(normalize_answer(row.at("input").get<std::string>(), options), row.at("expected").get<std::string>())
            << "input: " << row.at("input");
    }
}

TEST(Normalize, ChineseTokensPerCharacter) {
    const auto tokens = answer_tokens("肺 肝脏 mri");
    ASSERT_EQ(tokens.size(), 4u);
    EXPECT_EQ(tokens[0], "肺");
    EXPECT_EQ(tokens[1], "肝");
    EXPECT_EQ(tokens[2], "脏");
    EXPECT_EQ(tokens[3], "mri");
}

TEST(ShortAnswerMetrics, GoldenTable) {
    const auto rows = testing::read_jsonl(golden("short_answer.jsonl"));
    ASSERT_FALSE(rows.empty());
    for (const auto& row : rows) {
        NormalizeOptions options;
        options.english = row.at("english").get<bool>();
        const auto score = score_short_answer(row.at("prediction").get<std::string>(), row.at("gold").get<std::string>(),
                                              row.at("closed").get<bool>(), options);
        const std::string label = row.at("prediction").get<std::string>() + " vs " + row.at("gold").get<std::string>();
        EXPECT_DOUBLE_EQ(score.exact_match, row.at("exact_match").get<double>()) << label;
        EXPECT_NEAR(score.token_f1, row.at("token_f1").get<double>(), 1e-9) << label;
        EXPECT_NEAR(score.token_recall, row.at("token_recall").get<double>(), 1e-9) << label;
        if (row.at("closed").get<bool>()) {
            EXPECT_EQ(score.closed_correct, row.at("closed_correct").get<bool>()) << label;
        }
    }
}

TEST(ShortAnswerMetrics, PolarityIsNeverASubstringTest) {
    EXPECT_EQ(answer_polarity("normal study"), Polarity::None);
    EXPECT_EQ(answer_polarity("nodule"), Polarity::None);
    EXPECT_EQ(answer_polarity("yes not normal"), Polarity::Both);
    EXPECT_EQ(answer_polarity("不包含"), Polarity::No);
    EXPECT_EQ(answer_polarity("包含"), Polarity::Yes);
}

TEST(ShortAnswerMetrics, IntegerGoldStoredAsText) {
    // VQA-RAD stores some answers as JSON integers; the loader turns them
    // into text, which scores like any other answer.
    const auto score = score_short_answer("2", std::to_string(2), false, NormalizeOptions{});
    EXPECT_DOUBLE_EQ(score.exact_match, 1.0);
}

}  // namespace
}  // namespace medvlm
