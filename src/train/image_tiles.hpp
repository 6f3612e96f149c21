#pragma once
// Cuts an image into the tiles an idefics3 (SmolVLM) vision tower sees, the
// way libmtmd does at the pinned llama.cpp commit (tools/mtmd/mtmd-image.cpp,
// idefics3 preprocessor with a preproc_image_size key):
//   1. resize so the longer side is `longest_edge`, keeping the aspect ratio
//      (the shorter side truncated, then rounded up to an even number);
//   2. resize again so both sides are multiples of the tile size (rounding
//      up) and crop that into a grid of tiles, row by row;
//   3. the overview is the step-2 image resized to one tile.
// Every resize is Pillow's Lanczos filter with 22-bit fixed-point weights and
// 8-bit intermediate images, horizontal pass first, as libmtmd implements
// it; a resize to the same size is a copy. Pixels become (v / 255 - mean) /
// std per channel.

#include <vector>

#include "data/image.hpp"
#include "train/model_config.hpp"

namespace medvlm {

struct ImageTiles {
    int grid_x = 0;
    int grid_y = 0;
    // In prompt order: the grid's tiles row by row, then the overview. Each
    // holds 3 x tile x tile floats, channel-major (all R, then G, then B),
    // rows top to bottom: the layout of ggml's [width, height, 3] image input.
    std::vector<std::vector<float>> tiles;
};

[[nodiscard]] ImageTiles make_image_tiles(const DecodedImage& image, const VisionConfig& config);

// Pillow-compatible Lanczos resize of 8-bit RGB; exposed for tests.
[[nodiscard]] std::vector<unsigned char> resize_lanczos(const std::vector<unsigned char>& rgb, int width, int height,
                                                        int target_width, int target_height);

}  // namespace medvlm
