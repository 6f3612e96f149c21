// The image embedding cache: hits, the byte bound and least-recently-used eviction.

#include <gtest/gtest.h>

#include "engine/image_embedding_cache.hpp"

namespace medvlm {
namespace {

// An embedding of `floats` values, each equal to `value`.
std::vector<float> embedding(size_t floats, float value) { return std::vector<float>(floats, value); }

TEST(ImageEmbeddingCache, FindReturnsTheStoredEmbedding) {
    ImageEmbeddingCache cache(1024);
    EXPECT_EQ(cache.find("a"), nullptr);
    ASSERT_TRUE(cache.insert("a", embedding(4, 1.5f)));
    const auto* found = cache.find("a");
    ASSERT_NE(found, nullptr);
    EXPECT_EQ(*found, embedding(4, 1.5f));
    EXPECT_EQ(cache.bytes(), 16u);
    EXPECT_EQ(cache.size(), 1u);
}

TEST(ImageEmbeddingCache, EvictsLeastRecentlyUsedFirst) {
    ImageEmbeddingCache cache(3 * 4 * sizeof(float));
    ASSERT_TRUE(cache.insert("a", embedding(4, 1)));
    ASSERT_TRUE(cache.insert("b", embedding(4, 2)));
    ASSERT_TRUE(cache.insert("c", embedding(4, 3)));
    // Using "a" makes "b" the least recently used entry.
    ASSERT_NE(cache.find("a"), nullptr);
    ASSERT_TRUE(cache.insert("d", embedding(4, 4)));
    EXPECT_TRUE(cache.contains("a"));
    EXPECT_FALSE(cache.contains("b"));
    EXPECT_TRUE(cache.contains("c"));
    EXPECT_TRUE(cache.contains("d"));
    EXPECT_EQ(cache.evictions(), 1u);
    EXPECT_LE(cache.bytes(), cache.max_bytes());
}

TEST(ImageEmbeddingCache, LargeEntryEvictsSeveral) {
    ImageEmbeddingCache cache(4 * 4 * sizeof(float));
    ASSERT_TRUE(cache.insert("a", embedding(4, 1)));
    ASSERT_TRUE(cache.insert("b", embedding(4, 2)));
    ASSERT_TRUE(cache.insert("c", embedding(4, 3)));
    ASSERT_TRUE(cache.insert("big", embedding(12, 9)));
    EXPECT_FALSE(cache.contains("a"));
    EXPECT_FALSE(cache.contains("b"));
    EXPECT_TRUE(cache.contains("c"));
    EXPECT_TRUE(cache.contains("big"));
    EXPECT_EQ(cache.bytes(), 16u * sizeof(float));
}

TEST(ImageEmbeddingCache, OversizedEntryIsNotStored) {
    ImageEmbeddingCache cache(8 * sizeof(float));
    ASSERT_TRUE(cache.insert("a", embedding(4, 1)));
    EXPECT_FALSE(cache.insert("huge", embedding(9, 1)));
    EXPECT_FALSE(cache.contains("huge"));
    EXPECT_TRUE(cache.contains("a"));
}

TEST(ImageEmbeddingCache, ZeroBoundDisablesTheCache) {
    ImageEmbeddingCache cache(0);
    EXPECT_FALSE(cache.insert("a", embedding(1, 1)));
    EXPECT_EQ(cache.find("a"), nullptr);
    EXPECT_EQ(cache.size(), 0u);
}

TEST(ImageEmbeddingCache, InsertReplacesAnEntry) {
    ImageEmbeddingCache cache(1024);
    ASSERT_TRUE(cache.insert("a", embedding(4, 1)));
    ASSERT_TRUE(cache.insert("a", embedding(2, 7)));
    ASSERT_NE(cache.find("a"), nullptr);
    EXPECT_EQ(*cache.find("a"), embedding(2, 7));
    EXPECT_EQ(cache.size(), 1u);
    EXPECT_EQ(cache.bytes(), 2 * sizeof(float));
    EXPECT_EQ(cache.evictions(), 0u);
}

}  // namespace
}  // namespace medvlm
