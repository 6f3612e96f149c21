// Golden table: tests/golden/image_canary.jsonl lists replies and whether
// each states that the model did not receive an image.

#include <gtest/gtest.h>

#include "scoring/image_canary.hpp"
#include "support/test_support.hpp"

namespace medvlm {
namespace {

TEST(ImageCanary, GoldenTable) {
    const auto rows = testing::read_jsonl(std::filesystem::path(MEDVLM_SOURCE_DIR) / "tests/golden/image_canary.jsonl");
    ASSERT_GE(rows.size(), 20u);
    int positives = 0;
    for (const auto& row : rows) {
        const std::string reply = row.at("reply");
        const bool expected = row.at("image_not_received");
        const ImageCanaryMatch match = detect_image_not_received(reply);
        EXPECT_EQ(match.matched, expected) << "reply: " << reply << " (matched '" << match.phrase << "')";
        if (match.matched) {
            EXPECT_NE(reply.find(match.phrase.substr(0, 3)), std::string::npos) << reply;
        }
        positives += expected ? 1 : 0;
    }
    EXPECT_GE(positives, 10);
}

}  // namespace
}  // namespace medvlm
