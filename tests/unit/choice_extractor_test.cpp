// Golden table: tests/golden/choice_extractor.jsonl holds replies seen in
// the field with the letter (or UNKNOWN) each must give.

#include <gtest/gtest.h>

#include <fstream>

#include "scoring/choice_extractor.hpp"
#include "support/test_support.hpp"

namespace medvlm {
namespace {

const std::vector<std::string> kLetters = {"A", "B", "C", "D", "E"};
const std::vector<std::string> kOptions = {
    "Lateral collateral ligament complex repair or reconstruction", "Capsular plication", "Radial head replacement",
    "Radial head ORIF", "Medial collateral ligament complex reconstruction"};

TEST(ChoiceExtractor, GoldenTable) {
    const auto rows = testing::read_jsonl(std::filesystem::path(MEDVLM_SOURCE_DIR) / "tests/golden/choice_extractor.jsonl");
    ASSERT_GE(rows.size(), 40u);
    for (const auto& row : rows) {
        const std::string reply = row.at("reply");
        const std::string expected = row.at("expected");
        const std::string flag = row.at("flag");
        const ExtractedChoice got = extract_choice(reply, kLetters, kOptions);
        EXPECT_EQ(got.unknown() ? "UNKNOWN" : got.letter, expected) << "reply: " << reply << " (rule " << got.rule << ")";
        if (flag == "ambiguous") {
            EXPECT_TRUE(got.ambiguous) << "reply: " << reply;
        }
        if (flag == "out_of_range") {
            EXPECT_TRUE(got.out_of_range) << "reply: " << reply;
        }
    }
}

TEST(ChoiceExtractor, NoMatchIsNeverAnOption) {
    for (const std::string reply : {"xyz", "123", "the image shows a fracture", "?"}) {
        EXPECT_TRUE(extract_choice(reply, kLetters, kOptions).unknown()) << reply;
    }
}

TEST(ChoiceExtractor, LettersBeyondShownOptions) {
    const std::vector<std::string> three = {"A", "B", "C"};
    EXPECT_TRUE(extract_choice("D", three, {}).unknown());
    EXPECT_TRUE(extract_choice("D", three, {}).out_of_range);
    EXPECT_EQ(extract_choice("C", three, {}).letter, "C");
}

// libstdc++'s std::regex recursed once per whitespace character, so a reply
// with 100,000 spaces overflowed the stack.
TEST(ChoiceExtractor, LongWhitespaceRuns) {
    const std::string spaces(200'000, ' ');
    EXPECT_EQ(extract_choice("Final" + spaces + "answer:" + spaces + "C", kLetters, kOptions).letter, "C");
    EXPECT_EQ(extract_choice(spaces + "(B)" + spaces, kLetters, kOptions).letter, "B");
    std::string mixed;
    for (int i = 0; i < 100'000; ++i) {
        mixed += " \v\t\f";
    }
    EXPECT_EQ(extract_choice("The answer is" + mixed + "E.", kLetters, kOptions).letter, "E");
}

// Each stated letter used to normalize the whole rest of the reply before
// comparing it with the option text: time quadratic in the reply's length.
TEST(ChoiceExtractor, ManyStatementsInOneReply) {
    std::string reply;
    for (int i = 0; i < 20'000; ++i) {
        reply += "answer A Capsular plication and ";
    }
    const ExtractedChoice got = extract_choice(reply, kLetters, kOptions);
    EXPECT_TRUE(got.unknown());
    EXPECT_EQ(got.rule, "none");
}

}  // namespace
}  // namespace medvlm
