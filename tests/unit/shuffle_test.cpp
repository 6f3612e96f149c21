// The shuffled-image derangement: no row receives its own images (by
// content), the pairing is seeded, and image counts match where possible.

#include <gtest/gtest.h>

#include "core/error.hpp"
#include "prompts/shuffle.hpp"

namespace medvlm {
namespace {

Example row(const std::string& id, std::vector<std::string> hashes) {
    Example example;
    example.id = id;
    for (const auto& hash : hashes) {
        example.images.push_back(ImageRef{hash + ".png", {}, hash, 1, 1, true});
    }
    return example;
}

TEST(ShuffledImagePartners, NoRowGetsItsOwnImages) {
    std::vector<Example> rows;
    for (int i = 0; i < 40; ++i) {
        // Several questions per image, as in SLAKE.
        rows.push_back(row("q" + std::to_string(i), {"img" + std::to_string(i / 4)}));
    }
    for (uint64_t seed = 0; seed < 20; ++seed) {
        const auto partners = shuffled_image_partners(rows, seed);
        for (size_t i = 0; i < rows.size(); ++i) {
            ASSERT_NE(rows[partners[i]].images[0].sha256, rows[i].images[0].sha256) << "seed " << seed << " row " << i;
        }
    }
}

TEST(ShuffledImagePartners, SeededAndReproducible) {
    std::vector<Example> rows;
    for (int i = 0; i < 30; ++i) {
        rows.push_back(row("q" + std::to_string(i), {"img" + std::to_string(i)}));
    }
    EXPECT_EQ(shuffled_image_partners(rows, 7), shuffled_image_partners(rows, 7));
    EXPECT_NE(shuffled_image_partners(rows, 7), shuffled_image_partners(rows, 8));
}

TEST(ShuffledImagePartners, SameImageCountWhereDataAllows) {
    std::vector<Example> rows;
    for (int i = 0; i < 10; ++i) {
        rows.push_back(row("one" + std::to_string(i), {"a" + std::to_string(i)}));
        rows.push_back(row("two" + std::to_string(i), {"b" + std::to_string(i), "c" + std::to_string(i)}));
    }
    rows.push_back(row("three", {"x", "y", "z"}));  // the only three-image row
    const auto partners = shuffled_image_partners(rows, 3);
    int mismatched = 0;
    for (size_t i = 0; i < rows.size(); ++i) {
        EXPECT_NE(partners[i], i);
        mismatched += rows[partners[i]].images.size() != rows[i].images.size() ? 1 : 0;
    }
    // The lone three-image row and the row spliced to it differ; nobody else.
    EXPECT_LE(mismatched, 2);
}

TEST(ShuffledImagePartners, OneImageSetIsAnError) {
    const std::vector<Example> rows = {row("a", {"same"}), row("b", {"same"})};
    EXPECT_THROW((void)shuffled_image_partners(rows, 1), InputError);
}

}  // namespace
}  // namespace medvlm
