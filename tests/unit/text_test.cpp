#include <gtest/gtest.h>

#include "core/text.hpp"

namespace medvlm {
namespace {

TEST(Utf8, FindsInvalidSequences) {
    EXPECT_EQ(find_invalid_utf8("plain ascii"), std::string_view::npos);
    EXPECT_EQ(find_invalid_utf8("中文 µ"), std::string_view::npos);
    EXPECT_EQ(find_invalid_utf8("ab\xFF"), 2u);
    EXPECT_EQ(find_invalid_utf8("\xC0\x80"), 0u);          // overlong NUL
    EXPECT_EQ(find_invalid_utf8("x\xED\xA0\x80"), 1u);     // surrogate
    EXPECT_EQ(find_invalid_utf8("\xE4\xB8"), 0u);          // truncated
}

TEST(Utf8, SanitizeReplacesEachBadSequence) {
    size_t replaced = 0;
    EXPECT_EQ(sanitize_utf8("a\xFF" "b\xE4\xB8", &replaced), "a\xEF\xBF\xBD" "b\xEF\xBF\xBD");
    EXPECT_EQ(replaced, 2u);
    EXPECT_EQ(sanitize_utf8("中"), "中");
}

TEST(Text, TrimSplitJoin) {
    EXPECT_EQ(trim("  CLOSED \r\n"), "CLOSED");
    EXPECT_EQ(split("a,,b", ',').size(), 3u);
    EXPECT_EQ(join({"a", "b"}, ", "), "a, b");
    EXPECT_EQ(excerpt("abcdef", 3), "abc...");
}

}  // namespace
}  // namespace medvlm
