// Golden tables: tests/golden/normalize.jsonl and short_answer.jsonl.

#include <gtest/gtest.h>

#include <algorithm>

#include "core/error.hpp"
#include "data/loaders.hpp"
#include "scoring/normalize.hpp"
#include "scoring/short_answer.hpp"
#include "scoring/short_answer_question.hpp"
#include "support/test_support.hpp"

namespace medvlm {
namespace {

std::filesystem::path golden(const std::string& name) {
    return std::filesystem::path(MEDVLM_SOURCE_DIR) / "tests/golden" / name;
}

// Gold answers stored as JSON integers become text the way the loaders
// turn them into text.
std::string gold_text(const nlohmann::json& gold) {
    return gold.is_number_integer() ? std::to_string(gold.get<int64_t>()) : gold.get<std::string>();
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
        options.number_words = row.value("number_words", false);
        const auto& closed_value = row.at("closed");
        const std::optional<bool> closed =
            closed_value.is_null() ? std::nullopt : std::optional<bool>(closed_value.get<bool>());
        const auto score = score_short_answer(row.at("prediction").get<std::string>(), gold_text(row.at("gold")),
                                              closed, options);
        const std::string label = row.at("prediction").get<std::string>() + " vs " + row.at("gold").dump();

        EXPECT_DOUBLE_EQ(score.exact_match, row.at("exact_match").get<double>()) << label;
        EXPECT_NEAR(score.token_f1, row.at("token_f1").get<double>(), 1e-9) << label;
        EXPECT_NEAR(score.token_recall, row.at("token_recall").get<double>(), 1e-9) << label;
        EXPECT_EQ(score.closed_correct, row.at("closed_correct").get<bool>()) << label;
        EXPECT_EQ(polarity_name(score.prediction_polarity), row.at("polarity").get<std::string>()) << label;
        EXPECT_EQ(score.yes_no_gold, row.at("yes_no_gold").get<bool>()) << label;
        if (closed_value.is_null()) {
            EXPECT_EQ(score.closed, row.at("derived_closed").get<bool>()) << label;
            EXPECT_EQ(score.closed_source, ClosedSource::DerivedFromGold) << label;
        } else {
            EXPECT_EQ(score.closed, closed_value.get<bool>()) << label;
            EXPECT_EQ(score.closed_source, ClosedSource::AnswerType) << label;
        }
    }
}

TEST(ShortAnswerMetrics, GoldenTableHasTheFieldCases) {
    // The cases every short-answer scorer must get right; the table above
    // checks their values, this checks none has been dropped.
    const std::vector<std::pair<std::string, std::string>> required = {
        {"Normal study.", "\"no\""}, {"yes, small nodule", "\"yes\""}, {"yes, not normal", "\"no\""},
        {"No.", "\"no\""},           {"是的", "\"是\""},                {"the lungs", "\"Lung\""},
        {"", "\"yes\""},             {"12", "12"},
    };
    const auto rows = testing::read_jsonl(golden("short_answer.jsonl"));
    for (const auto& [prediction, gold] : required) {
        const bool found = std::any_of(rows.begin(), rows.end(), [&](const nlohmann::json& row) {
            return row.at("prediction") == prediction && row.at("gold").dump() == gold;
        });
        EXPECT_TRUE(found) << prediction << " vs " << gold;
    }
}

TEST(ShortAnswerMetrics, PolarityIsNeverASubstringTest) {
    EXPECT_EQ(answer_polarity("normal study"), Polarity::None);
    EXPECT_EQ(answer_polarity("nodule"), Polarity::None);
    EXPECT_EQ(answer_polarity("note"), Polarity::None);
    EXPECT_EQ(answer_polarity("yes not normal"), Polarity::Both);
    EXPECT_EQ(answer_polarity("不包含"), Polarity::No);
    EXPECT_EQ(answer_polarity("包含"), Polarity::Yes);
    EXPECT_EQ(answer_polarity("不可以"), Polarity::No);
    EXPECT_EQ(answer_polarity("有没有"), Polarity::Both);
}

TEST(ShortAnswerMetrics, PolarGoldIsOneWordOnly) {
    EXPECT_TRUE(is_polar_answer("yes"));
    EXPECT_TRUE(is_polar_answer("不包含"));
    EXPECT_TRUE(is_polar_answer("存在"));
    EXPECT_FALSE(is_polar_answer("yes no"));
    EXPECT_FALSE(is_polar_answer("not"));
    EXPECT_FALSE(is_polar_answer("不正常"));
    EXPECT_FALSE(is_polar_answer(""));
}

TEST(ShortAnswerMetrics, IntegerGoldFromRealLoader) {
    // The official VQA-RAD release stores some answers as JSON integers.
    const std::string content = R"([{"qid": 7, "phrase_type": "test_freeform", "qid_linked_id": "x",
        "image_case_url": "u", "image_name": "synpic1.jpg", "image_organ": "HEAD", "evaluation": "given",
        "question": "How many lesions?", "question_rephrase": "NULL", "question_relation": "NULL",
        "question_frame": "NULL", "question_type": "COUNT", "answer": 2, "answer_type": "OPEN"}])";
    const ParsedRecords parsed = parse_vqa_rad("integer.json", content, ParseOptions{});
    ASSERT_EQ(parsed.examples.size(), 1u);
    const Example& example = parsed.examples[0];
    EXPECT_EQ(example.answer, "2");

    const auto closed = closed_from_answer_type(example);
    ASSERT_TRUE(closed.has_value());
    EXPECT_FALSE(*closed);
    EXPECT_DOUBLE_EQ(score_short_answer("2", example.answer, closed, NormalizeOptions{}).exact_match, 1.0);
    EXPECT_DOUBLE_EQ(score_short_answer("two", example.answer, closed, NormalizeOptions{}).exact_match, 0.0);
    NormalizeOptions number_words;
    number_words.number_words = true;
    EXPECT_DOUBLE_EQ(score_short_answer("two", example.answer, closed, number_words).exact_match, 1.0);
}

TEST(ShortAnswerQuestion, LanguageAndAnswerType) {
    Example example;
    example.id = "5";
    example.source = "test.json: record #1, record id=5";
    example.answer = "The Yes";
    EXPECT_EQ(question_language(example), "en");
    EXPECT_TRUE(normalize_options_for(example, NormalizeOptions{}).english);
    EXPECT_FALSE(closed_from_answer_type(example).has_value());
    EXPECT_TRUE(gold_is_yes_no(example)) << "English articles are dropped before the yes/no test";

    example.fields["q_lang"] = "zh";
    EXPECT_EQ(question_language(example), "zh");
    EXPECT_FALSE(normalize_options_for(example, NormalizeOptions{}).english);
    EXPECT_FALSE(gold_is_yes_no(example)) << "Chinese questions keep 'the'";
    example.answer = "不是。";
    EXPECT_TRUE(gold_is_yes_no(example));

    example.fields["answer_type"] = "CLOSED";
    EXPECT_EQ(closed_from_answer_type(example), std::optional<bool>(true));
    example.fields["answer_type"] = "closed";
    try {
        (void)closed_from_answer_type(example);
        FAIL() << "expected InputError";
    } catch (const InputError& e) {
        EXPECT_NE(std::string(e.what()).find("record id=5"), std::string::npos) << e.what();
        EXPECT_NE(std::string(e.what()).find("\"closed\""), std::string::npos) << e.what();
    }
}

TEST(ShortAnswerMetrics, DefinitionsNameEveryReportedMetric) {
    const auto definitions = short_answer_metric_definitions(NormalizeOptions{});
    for (const char* name : {"exact_match", "token_f1", "token_recall", "closed_accuracy", "closed_yes_no_accuracy",
                             "closed_no_polar_answer", "closed_other_exact_match", "open_exact_match",
                             "open_token_f1", "open_token_recall", "closed_open", "yes_no_gold", "languages"}) {
        EXPECT_TRUE(definitions.contains(name)) << name;
    }
    EXPECT_FALSE(definitions.contains("accuracy"));
}

}  // namespace
}  // namespace medvlm
