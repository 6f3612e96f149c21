#pragma once
// Image file headers read without decoding, so that the pixel limit is
// applied before OpenCV allocates anything and only formats with a known
// header reach a decoder.
//
// Formats read: PNG, JPEG, BMP, WebP, TIFF (classic, not BigTIFF), PNM
// (PBM, PGM and PPM, P1-P6), JPEG 2000 (JP2 files and J2K codestreams) and
// GIF. OpenCV 4.6 decodes all but GIF.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace medvlm {

struct ImageHeader {
    // "png", "jpeg", "bmp", "webp", "tiff", "pnm", "jpeg2000" or "gif".
    std::string format;
    // As declared by the header; a hostile file may declare anything.
    int64_t width = 0;
    int64_t height = 0;
    // JPEG only: the colour components of the frame (1 gray, 3 YCbCr or
    // RGB, 4 CMYK or YCCK); 0 for other formats.
    int components = 0;
};

// nullopt when the bytes start with none of the formats above, or the
// header is too short or malformed to give a size.
[[nodiscard]] std::optional<ImageHeader> read_image_header(std::string_view bytes);

// The formats a file name's extension stands for ("jpeg" for .jpg, .jpeg and
// .jpe, case-insensitive); "" for an extension not listed above.
[[nodiscard]] std::string format_of_extension(std::string_view file_name);

}  // namespace medvlm
