// Canonical answers keep the scoring normalization of the original answer.

#include <gtest/gtest.h>

#include "curriculum/canonical_answer.hpp"
#include "scoring/normalize.hpp"
#include "sources/source.hpp"
#include "support/test_support.hpp"

namespace medvlm {
namespace {

TEST(CanonicalAnswer, Examples) {
    EXPECT_EQ(canonical_answer("Yes"), "yes");
    EXPECT_EQ(canonical_answer("NO."), "no");
    EXPECT_EQ(canonical_answer("X-Ray"), "x-ray");
    EXPECT_EQ(canonical_answer("Transverse  Plane"), "transverse plane");
    EXPECT_EQ(canonical_answer(" Left Lung, Right "), "left lung, right");
    EXPECT_EQ(canonical_answer("ＣＴ"), "ct");  // full-width letters
    EXPECT_EQ(canonical_answer("是的"), "是的");
    EXPECT_EQ(canonical_answer("..."), "");
}

// Every answer of the real SLAKE and VQA-RAD files: the canonical form
// scores exactly as the original under normalize_answer().
TEST(CanonicalAnswer, KeepsNormalizationOnRealAnswers) {
    const auto data = testing::shared_data_dir();
    const std::vector<std::string> specs = {
        "benchmark=slake,data=" + (data / "slake/train.json").string() + ",images=" + (data / "slake/images").string(),
        "benchmark=vqa-rad,split=all,data=" + (data / "vqa_rad/VQA_RAD_Dataset_Public.train.json").string() +
            ",images=" + (data / "vqa_rad/images").string(),
    };
    size_t checked = 0;
    for (const auto& spec : specs) {
        const Source source = load_source(parse_source_spec(spec), SourceLoadOptions{});
        for (const auto& record : source.records) {
            const bool english = record.fields.count("q_lang") == 0 || record.fields.at("q_lang") == "en";
            const NormalizeOptions options{english, false};
            EXPECT_EQ(normalize_answer(canonical_answer(record.answer), options),
                      normalize_answer(record.answer, options))
                << record.location << ": " << record.answer;
            ++checked;
        }
    }
    EXPECT_EQ(checked, 9835u + 1797u);
}

}  // namespace
}  // namespace medvlm
