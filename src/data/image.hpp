#pragma once
// Image resolution and decoding with OpenCV.
//
// Every image medvlm sends to a model goes through decode_image(), which
// turns any input OpenCV reads into 8-bit RGB in a documented way:
//   - grayscale is replicated to three channels;
//   - 16-bit samples are scaled to 8 bits (value / 257);
//   - an alpha channel is composited over a white background;
//   - CMYK and YCCK JPEGs are converted to RGB by libjpeg and OpenCV as
//     Adobe's inverted CMYK, without a colour profile;
//   - EXIF orientation is not applied (the pixels are used as stored, as
//     the Hugging Face image processors do by default).

#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "core/error.hpp"

namespace medvlm {

struct ImageLimits {
    // Decompression-bomb guard: width x height above this is rejected
    // before any pixel buffer is allocated.
    int64_t max_pixels = 64'000'000;
    int64_t max_file_bytes = 256LL * 1024 * 1024;
};

enum class ImageProblem { NotFound, EscapesRoot, NotAFile, Empty, TooLarge, Undecodable };

[[nodiscard]] std::string image_problem_name(ImageProblem problem);

// An image that cannot be used. The message names the file and the reason;
// callers add the record that referenced it.
class ImageError : public InputError {
public:
    ImageError(ImageProblem problem, const std::string& message)
        : InputError(message), problem_(problem) {}
    [[nodiscard]] ImageProblem problem() const noexcept { return problem_; }

private:
    ImageProblem problem_;
};

struct DecodedImage {
    int width = 0;
    int height = 0;
    std::vector<unsigned char> rgb;  // width * height * 3 bytes, row-major RGB
    // Conversions applied, for telemetry: "16-bit", "cmyk", "grayscale", "alpha".
    std::vector<std::string> conversions;
    // The format the file's header shows (image_header.hpp), whatever its name.
    std::string format;
};

// Resolves a record's image name inside root. Absolute names, ".." and
// links whose target leaves the root are rejected, as is anything that is
// not a regular file.
[[nodiscard]] std::filesystem::path resolve_image_path(const std::filesystem::path& root,
                                                       const std::string& name);

// Reads width and height from an image header without decoding (the formats
// of image_header.hpp). Returns false for other formats or a header too
// short to read.
[[nodiscard]] bool read_image_header_size(std::string_view bytes, int64_t& width, int64_t& height);

// `label` names the image in error messages. Formats other than those
// image_header.hpp reads are rejected before any decoder runs.
[[nodiscard]] DecodedImage decode_image(std::string_view bytes, const ImageLimits& limits,
                                        const std::string& label);

// Reads an image file, rejecting anything but a regular file and files
// above limits.max_file_bytes before reading them. Throws ImageError.
[[nodiscard]] std::string read_image_file(const std::filesystem::path& path, const ImageLimits& limits);

[[nodiscard]] DecodedImage load_image(const std::filesystem::path& path, const ImageLimits& limits);

}  // namespace medvlm
