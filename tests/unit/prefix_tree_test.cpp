// The prefix tree that counts the least prompt work a run needs.

#include <gtest/gtest.h>

#include <vector>

#include "engine/prefix_tree.hpp"

namespace medvlm {
namespace {

int64_t insert(PrefixTree& tree, const std::vector<int64_t>& ids) {
    const std::vector<int32_t> weights(ids.size(), 1);
    return tree.insert(ids, weights);
}

TEST(PrefixTree, CountsOnlyTheUnsharedSuffix) {
    PrefixTree tree;
    EXPECT_EQ(insert(tree, {1, 2, 3, 4}), 4);
    EXPECT_EQ(insert(tree, {1, 2, 3, 5}), 1);
    EXPECT_EQ(insert(tree, {1, 2, 6}), 1);
    EXPECT_EQ(insert(tree, {7}), 1);
}

TEST(PrefixTree, RepeatedAndContainedPromptsCostNothing) {
    PrefixTree tree;
    EXPECT_EQ(insert(tree, {1, 2, 3}), 3);
    EXPECT_EQ(insert(tree, {1, 2, 3}), 0);
    EXPECT_EQ(insert(tree, {1, 2}), 0);
    EXPECT_EQ(insert(tree, {1, 2, 3, 4}), 1);
}

TEST(PrefixTree, SplitEdgesKeepBothBranches) {
    PrefixTree tree;
    EXPECT_EQ(insert(tree, {1, 2, 3, 4, 5}), 5);
    // Splits the edge after 1, 2.
    EXPECT_EQ(insert(tree, {1, 2, 9}), 1);
    // Both sides of the split are still found.
    EXPECT_EQ(insert(tree, {1, 2, 3, 4, 5}), 0);
    EXPECT_EQ(insert(tree, {1, 2, 9}), 0);
    EXPECT_EQ(insert(tree, {1, 2, 3, 8}), 1);
}

TEST(PrefixTree, WeightsCountImageTokens) {
    PrefixTree tree;
    // An image chunk of 64 tokens (negative id) between text tokens.
    const std::vector<int64_t> first = {1, -1, 2, 3};
    const std::vector<int32_t> weights = {1, 64, 1, 1};
    EXPECT_EQ(tree.insert(first, weights), 67);
    const std::vector<int64_t> other_image = {1, -2, 2, 3};
    EXPECT_EQ(tree.insert(other_image, weights), 66);
}

TEST(PrefixTree, MismatchedLengthsThrow) {
    PrefixTree tree;
    const std::vector<int64_t> ids = {1, 2};
    const std::vector<int32_t> weights = {1};
    EXPECT_THROW((void)tree.insert(ids, weights), std::exception);
}

}  // namespace
}  // namespace medvlm
