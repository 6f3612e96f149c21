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

}  // namespace
}  // namespace medvlm
