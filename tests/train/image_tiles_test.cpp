// The idefics3 tiling rules on synthetic images. That the pixels match
// libmtmd's is checked end to end by the parity tests, whose image
// embeddings agree exactly.

#include <gtest/gtest.h>

#include "train/image_tiles.hpp"

namespace medvlm {
namespace {

VisionConfig tiles_config(int64_t tile, int64_t longest_edge) {
    VisionConfig config;
    config.image_size = tile;
    config.patch_size = 16;
    config.longest_edge = longest_edge;
    config.image_mean = {0.5f, 0.5f, 0.5f};
    config.image_std = {0.5f, 0.5f, 0.5f};
    return config;
}

DecodedImage constant_image(int width, int height, unsigned char value) {
    DecodedImage image;
    image.width = width;
    image.height = height;
    image.rgb.assign(static_cast<size_t>(width) * static_cast<size_t>(height) * 3, value);
    return image;
}

TEST(ImageTiles, GridFollowsAspectRatio) {
    // SmolVLM sizes: 512-pixel tiles, longer side resized to 2048.
    const VisionConfig config = tiles_config(512, 2048);
    struct Case {
        int width, height, grid_x, grid_y;
    };
    // 1000 x 600 -> 2048 x 1228 -> 4 x 3 tiles; 600 x 1000 -> 1228 x 2048;
    // 300 x 299 -> 2048 x 2042 -> 4 x 4; 2048 x 100 -> 2048 x 100 -> 4 x 1.
    for (const Case c : {Case{1000, 600, 4, 3}, Case{600, 1000, 3, 4}, Case{300, 299, 4, 4}, Case{2048, 100, 4, 1}}) {
        const ImageTiles tiles = make_image_tiles(constant_image(c.width, c.height, 10), config);
        EXPECT_EQ(tiles.grid_x, c.grid_x) << c.width << "x" << c.height;
        EXPECT_EQ(tiles.grid_y, c.grid_y) << c.width << "x" << c.height;
        EXPECT_EQ(tiles.tiles.size(), static_cast<size_t>(c.grid_x * c.grid_y + 1)) << "slices plus the overview";
    }
}

TEST(ImageTiles, ConstantImageStaysConstantAndNormalized) {
    const ImageTiles tiles = make_image_tiles(constant_image(300, 200, 204), tiles_config(64, 64));
    ASSERT_EQ(tiles.tiles.size(), 2u);
    for (const auto& tile : tiles.tiles) {
        ASSERT_EQ(tile.size(), 3u * 64 * 64);
        for (const float value : tile) {
            ASSERT_FLOAT_EQ(value, (204.0f / 255.0f - 0.5f) / 0.5f);
        }
    }
}

TEST(ImageTiles, ResizeToSameSizeIsCopy) {
    std::vector<unsigned char> rgb(5 * 4 * 3);
    for (size_t i = 0; i < rgb.size(); ++i) {
        rgb[i] = static_cast<unsigned char>(i * 37);
    }
    EXPECT_EQ(resize_lanczos(rgb, 5, 4, 5, 4), rgb);
}

TEST(ImageTiles, DownscaleAveragesStripes) {
    // Alternating black and white columns halve to mid-grey (Lanczos keeps
    // the mean, and the ringing cancels on a periodic pattern).
    const int width = 64;
    std::vector<unsigned char> rgb(static_cast<size_t>(width) * 8 * 3);
    for (int y = 0; y < 8; ++y) {
        for (int x = 0; x < width; ++x) {
            for (int c = 0; c < 3; ++c) {
                rgb[(static_cast<size_t>(y) * width + static_cast<size_t>(x)) * 3 + static_cast<size_t>(c)] =
                    x % 2 == 0 ? 0 : 255;
            }
        }
    }
    const auto resized = resize_lanczos(rgb, width, 8, 16, 8);
    for (size_t i = 3 * 3; i + 3 * 3 < 16 * 3; ++i) {  // away from the borders
        EXPECT_NEAR(resized[i], 128, 2) << i;
    }
}

}  // namespace
}  // namespace medvlm
