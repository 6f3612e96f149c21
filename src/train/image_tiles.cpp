#include "train/image_tiles.hpp"

#include <cmath>
#include <cstdint>

#include "core/error.hpp"

namespace medvlm {
namespace {

constexpr int kPrecisionBits = 22;  // 32 bits minus 8 for the pixel minus 2 of headroom, as in Pillow
constexpr double kLanczosSupport = 3.0;
constexpr double kPi = 3.141592653589793238462643383279502884;

double sinc(double x) {
    if (x == 0.0) {
        return 1.0;
    }
    return std::sin(kPi * x) / (kPi * x);
}

double lanczos(double x) {
    if (x >= -kLanczosSupport && x < kLanczosSupport) {
        return sinc(x) * sinc(x / kLanczosSupport);
    }
    return 0.0;
}

// Filter taps for one axis: output pixel i reads `count[i]` input pixels
// from `first[i]`, with fixed-point weights `weights[i * taps + j]`.
struct AxisFilter {
    int taps = 0;
    std::vector<int> first;
    std::vector<int> count;
    std::vector<int32_t> weights;
};

AxisFilter make_filter(int in_size, int out_size) {
    const double scale = static_cast<double>(in_size) / out_size;
    // Downsampling widens the filter so every input pixel contributes.
    const double filter_scale = std::max(scale, 1.0);
    const double support = kLanczosSupport * filter_scale;
    const double inverse_scale = 1.0 / filter_scale;

    AxisFilter filter;
    filter.taps = static_cast<int>(std::ceil(support)) * 2 + 1;
    filter.first.resize(static_cast<size_t>(out_size));
    filter.count.resize(static_cast<size_t>(out_size));
    filter.weights.assign(static_cast<size_t>(out_size) * static_cast<size_t>(filter.taps), 0);

    std::vector<double> row(static_cast<size_t>(filter.taps));
    for (int out = 0; out < out_size; ++out) {
        const double center = (out + 0.5) * scale;
        // Truncation toward zero, then clamping, matches Pillow's bounds.
        const int lo = std::max(0, static_cast<int>(center - support + 0.5));
        const int hi = std::min(in_size, static_cast<int>(center + support + 0.5));
        const int n = hi - lo;

        double total = 0.0;
        for (int j = 0; j < n; ++j) {
            row[static_cast<size_t>(j)] = lanczos((j + lo - center + 0.5) * inverse_scale);
            total += row[static_cast<size_t>(j)];
        }
        for (int j = 0; j < n; ++j) {
            const double w = total != 0.0 ? row[static_cast<size_t>(j)] / total : row[static_cast<size_t>(j)];
            // Round half away from zero, then truncate, as Pillow does.
            const double fixed = w * std::ldexp(1.0, kPrecisionBits) + (w < 0 ? -0.5 : 0.5);
            filter.weights[static_cast<size_t>(out) * static_cast<size_t>(filter.taps) + static_cast<size_t>(j)] =
                static_cast<int32_t>(fixed);
        }
        filter.first[static_cast<size_t>(out)] = lo;
        filter.count[static_cast<size_t>(out)] = n;
    }
    return filter;
}

uint8_t clamp_pixel(int32_t value) {
    if (value < 0) {
        return 0;
    }
    if (value > 255) {
        return 255;
    }
    return static_cast<uint8_t>(value);
}

std::vector<unsigned char> resample_rows(const std::vector<unsigned char>& src, int width, int height, int out_width) {
    const AxisFilter filter = make_filter(width, out_width);
    std::vector<unsigned char> out(static_cast<size_t>(out_width) * static_cast<size_t>(height) * 3);
    for (int y = 0; y < height; ++y) {
        const unsigned char* src_row = src.data() + static_cast<size_t>(y) * static_cast<size_t>(width) * 3;
        unsigned char* out_row = out.data() + static_cast<size_t>(y) * static_cast<size_t>(out_width) * 3;
        for (int x = 0; x < out_width; ++x) {
            const int32_t* w = filter.weights.data() + static_cast<size_t>(x) * static_cast<size_t>(filter.taps);
            const unsigned char* p = src_row + static_cast<size_t>(filter.first[static_cast<size_t>(x)]) * 3;
            int32_t acc[3] = {1 << (kPrecisionBits - 1), 1 << (kPrecisionBits - 1), 1 << (kPrecisionBits - 1)};
            for (int j = 0; j < filter.count[static_cast<size_t>(x)]; ++j) {
                for (int c = 0; c < 3; ++c) {
                    acc[c] += p[j * 3 + c] * w[j];
                }
            }
            for (int c = 0; c < 3; ++c) {
                out_row[x * 3 + c] = clamp_pixel(acc[c] >> kPrecisionBits);
            }
        }
    }
    return out;
}

std::vector<unsigned char> resample_columns(const std::vector<unsigned char>& src, int width, int height,
                                            int out_height) {
    const AxisFilter filter = make_filter(height, out_height);
    const size_t row_values = static_cast<size_t>(width) * 3;
    std::vector<unsigned char> out(row_values * static_cast<size_t>(out_height));
    std::vector<int32_t> acc(row_values);
    for (int y = 0; y < out_height; ++y) {
        std::fill(acc.begin(), acc.end(), 1 << (kPrecisionBits - 1));
        const int32_t* w = filter.weights.data() + static_cast<size_t>(y) * static_cast<size_t>(filter.taps);
        for (int j = 0; j < filter.count[static_cast<size_t>(y)]; ++j) {
            const unsigned char* src_row = src.data() + static_cast<size_t>(filter.first[static_cast<size_t>(y)] + j) * row_values;
            for (size_t i = 0; i < row_values; ++i) {
                acc[i] += src_row[i] * w[j];
            }
        }
        unsigned char* out_row = out.data() + static_cast<size_t>(y) * row_values;
        for (size_t i = 0; i < row_values; ++i) {
            out_row[i] = clamp_pixel(acc[i] >> kPrecisionBits);
        }
    }
    return out;
}

struct RgbImage {
    int width = 0;
    int height = 0;
    std::vector<unsigned char> rgb;
};

RgbImage resize(const RgbImage& image, int width, int height) {
    return {width, height, resize_lanczos(image.rgb, image.width, image.height, width, height)};
}

std::vector<float> to_tile(const RgbImage& image, int x0, int y0, int size, const VisionConfig& config) {
    const size_t plane = static_cast<size_t>(size) * static_cast<size_t>(size);
    std::vector<float> tile(plane * 3);
    for (int y = 0; y < size; ++y) {
        for (int x = 0; x < size; ++x) {
            const size_t src = (static_cast<size_t>(y0 + y) * static_cast<size_t>(image.width) + static_cast<size_t>(x0 + x)) * 3;
            const size_t dst = static_cast<size_t>(y) * static_cast<size_t>(size) + static_cast<size_t>(x);
            for (size_t c = 0; c < 3; ++c) {
                const float value = static_cast<float>(image.rgb[src + c]) / 255.0f;
                tile[c * plane + dst] = (value - config.image_mean[c]) / config.image_std[c];
            }
        }
    }
    return tile;
}

}  // namespace

std::vector<unsigned char> resize_lanczos(const std::vector<unsigned char>& rgb, int width, int height,
                                          int target_width, int target_height) {
    if (width <= 0 || height <= 0 || target_width <= 0 || target_height <= 0 ||
        rgb.size() != static_cast<size_t>(width) * static_cast<size_t>(height) * 3) {
        throw Error("resize_lanczos: invalid image or target size");
    }
    std::vector<unsigned char> current = rgb;
    int current_width = width;
    if (target_width != width) {
        current = resample_rows(current, width, height, target_width);
        current_width = target_width;
    }
    if (target_height != height) {
        current = resample_columns(current, current_width, height, target_height);
    }
    return current;
}

ImageTiles make_image_tiles(const DecodedImage& image, const VisionConfig& config) {
    const int tile = static_cast<int>(config.image_size);
    const int longest = static_cast<int>(config.longest_edge);
    const RgbImage original{image.width, image.height, image.rgb};

    const double aspect = static_cast<double>(image.width) / image.height;
    int width = 0;
    int height = 0;
    if (image.width >= image.height) {
        width = longest;
        height = static_cast<int>(longest / aspect);
        height += height % 2;
    } else {
        height = longest;
        width = static_cast<int>(longest * aspect);
        width += width % 2;
    }
    if (width <= 0 || height <= 0) {
        throw InputError("image of " + std::to_string(image.width) + "x" + std::to_string(image.height) +
                         " pixels is too narrow to resize to a longest side of " + std::to_string(longest));
    }

    ImageTiles result;
    result.grid_x = (width + tile - 1) / tile;
    result.grid_y = (height + tile - 1) / tile;
    const RgbImage resized = resize(original, width, height);
    const RgbImage refined = resize(resized, result.grid_x * tile, result.grid_y * tile);
    const RgbImage overview = resize(refined, tile, tile);

    for (int y = 0; y < result.grid_y; ++y) {
        for (int x = 0; x < result.grid_x; ++x) {
            result.tiles.push_back(to_tile(refined, x * tile, y * tile, tile, config));
        }
    }
    result.tiles.push_back(to_tile(overview, 0, 0, tile, config));
    return result;
}

}  // namespace medvlm
