// The label-reveal check on image names and captions.

#include <gtest/gtest.h>

#include "leakage/label_in_name.hpp"

namespace medvlm {
namespace {

SourceRecord record(const std::string& image, const std::string& answer) {
    SourceRecord r;
    r.id = "1";
    r.question = "q";
    r.answer = answer;
    r.images.push_back(SourceImage{image, {}, {}, -1});
    return r;
}

TEST(RevealTokens, SplitsNamesLikeAReader) {
    EXPECT_EQ(reveal_tokens("LeftLung_T2-axial"),
              (std::vector<std::string>{"left", "lung", "t", "2", "axial"}));
    EXPECT_EQ(reveal_tokens("xmlab102/source"), (std::vector<std::string>{"xmlab", "102", "source"}));
}

TEST(LabelReveal, AnswerInFileName) {
    const auto reveals = find_label_reveals(record("cases/pneumothorax_017.png", "Pneumothorax"));
    ASSERT_EQ(reveals.size(), 1u);
    EXPECT_EQ(reveals[0].where, "image_name");
    EXPECT_EQ(reveals[0].text, "cases/pneumothorax_017.png");
    EXPECT_EQ(reveals[0].answer, "Pneumothorax");
    EXPECT_EQ(find_label_reveals(record("scan_left_lung.jpg", "left lung")).size(), 1u);
    EXPECT_EQ(find_label_reveals(record("T2_weighted.png", "T2")).size(), 1u);
}

TEST(LabelReveal, NoMatchInsideWordsOrNumbers) {
    EXPECT_TRUE(find_label_reveals(record("synpic54610.jpg", "4")).empty());
    EXPECT_TRUE(find_label_reveals(record("normality/img.png", "no")).empty());
    EXPECT_TRUE(find_label_reveals(record("lungs.png", "lung")).empty());
    // The extension is not part of the name.
    EXPECT_TRUE(find_label_reveals(record("image.png", "png")).empty());
}

TEST(LabelReveal, MultipleChoiceUsesOptionText) {
    SourceRecord r = record("MM-0-a.jpeg", "A");
    r.choices = {{"A", "Appendicitis"}, {"B", "Cholecystitis"}};
    EXPECT_TRUE(find_label_reveals(r).empty());  // the letter "a" in the name is not the label
    r.images[0].name = "appendicitis-1.jpeg";
    EXPECT_EQ(find_label_reveals(r).size(), 1u);
}

TEST(LabelReveal, Caption) {
    SourceRecord r = record("img1.png", "pleural effusion");
    r.fields["caption"] = "Chest X-ray: large right pleural effusion.";
    const auto reveals = find_label_reveals(r);
    ASSERT_EQ(reveals.size(), 1u);
    EXPECT_EQ(reveals[0].where, "caption");
}

}  // namespace
}  // namespace medvlm
