#include "data/image_header.hpp"

#include <algorithm>
#include <cstdlib>

#include "core/text.hpp"

namespace medvlm {
namespace {

using Bytes = const unsigned char*;

uint32_t read_be32(Bytes p) {
    return (uint32_t{p[0]} << 24) | (uint32_t{p[1]} << 16) | (uint32_t{p[2]} << 8) | p[3];
}
uint32_t read_be16(Bytes p) { return (uint32_t{p[0]} << 8) | p[1]; }
uint32_t read_le16(Bytes p) { return uint32_t{p[0]} | (uint32_t{p[1]} << 8); }
uint32_t read_le24(Bytes p) { return read_le16(p) | (uint32_t{p[2]} << 16); }
uint32_t read_le32(Bytes p) { return read_le24(p) | (uint32_t{p[3]} << 24); }

std::optional<ImageHeader> read_jpeg(Bytes data, size_t size) {
    size_t pos = 2;
    while (pos + 4 <= size) {
        if (data[pos] != 0xFF) {
            return std::nullopt;
        }
        const unsigned char marker = data[pos + 1];
        if (marker == 0xFF) {
            ++pos;  // fill byte
            continue;
        }
        if (marker == 0xD8 || marker == 0x01 || (marker >= 0xD0 && marker <= 0xD7)) {
            pos += 2;
            continue;
        }
        const size_t length = read_be16(data + pos + 2);
        const bool is_frame_header = marker >= 0xC0 && marker <= 0xCF && marker != 0xC4 && marker != 0xC8 &&
                                     marker != 0xCC;
        if (is_frame_header) {
            // FF Cn, length (2), precision (1), height (2), width (2), components (1).
            if (pos + 10 > size) {
                return std::nullopt;
            }
            return ImageHeader{"jpeg", read_be16(data + pos + 7), read_be16(data + pos + 5), data[pos + 9]};
        }
        if (marker == 0xD9 || length < 2) {
            return std::nullopt;
        }
        pos += 2 + length;
    }
    return std::nullopt;
}

// The first image file directory of a classic TIFF (TIFF 6.0, section 2):
// tag 256 ImageWidth and tag 257 ImageLength, each SHORT or LONG.
std::optional<ImageHeader> read_tiff(Bytes data, size_t size) {
    const bool little = data[0] == 'I';
    const auto u16 = [&](size_t at) { return little ? read_le16(data + at) : read_be16(data + at); };
    const auto u32 = [&](size_t at) { return little ? read_le32(data + at) : read_be32(data + at); };
    const size_t directory = u32(4);
    if (directory < 8 || directory > size || size - directory < 2) {
        return std::nullopt;
    }
    const size_t entries = u16(directory);
    if ((size - directory - 2) / 12 < entries) {
        return std::nullopt;
    }
    ImageHeader header{"tiff", -1, -1, 0};
    for (size_t i = 0; i < entries; ++i) {
        const size_t entry = directory + 2 + 12 * i;
        const uint32_t tag = u16(entry);
        if (tag != 256 && tag != 257) {
            continue;
        }
        const uint32_t type = u16(entry + 2);
        if (u32(entry + 4) != 1 || (type != 3 && type != 4)) {
            return std::nullopt;
        }
        const int64_t value = type == 3 ? u16(entry + 8) : u32(entry + 8);
        (tag == 256 ? header.width : header.height) = value;
    }
    if (header.width < 0 || header.height < 0) {
        return std::nullopt;
    }
    return header;
}

// Netpbm: "P1".."P6", then width and height as decimal numbers separated by
// whitespace, with '#' comments running to the end of a line.
std::optional<ImageHeader> read_pnm(std::string_view bytes) {
    size_t pos = 2;
    int64_t values[2] = {0, 0};
    for (int64_t& value : values) {
        while (pos < bytes.size()) {
            const char c = bytes[pos];
            if (c == '#') {
                while (pos < bytes.size() && bytes[pos] != '\n' && bytes[pos] != '\r') {
                    ++pos;
                }
            } else if (c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f') {
                ++pos;
            } else {
                break;
            }
        }
        size_t digits = 0;
        while (pos < bytes.size() && bytes[pos] >= '0' && bytes[pos] <= '9') {
            if (++digits > 10) {
                return std::nullopt;
            }
            value = value * 10 + (bytes[pos] - '0');
            ++pos;
        }
        if (digits == 0) {
            return std::nullopt;
        }
    }
    return ImageHeader{"pnm", values[0], values[1], 0};
}

// JPEG 2000 codestream (ITU-T T.800 Annex A.5.1): SOC, then the SIZ marker
// segment with the reference grid size and the image offset on it.
std::optional<ImageHeader> read_j2k_codestream(Bytes data, size_t size) {
    if (size < 4 + 2 + 2 + 16 || read_be16(data + 2) != 0xFF51) {
        return std::nullopt;
    }
    const int64_t grid_width = read_be32(data + 8);
    const int64_t grid_height = read_be32(data + 12);
    const int64_t offset_x = read_be32(data + 16);
    const int64_t offset_y = read_be32(data + 20);
    if (offset_x > grid_width || offset_y > grid_height) {
        return std::nullopt;
    }
    return ImageHeader{"jpeg2000", grid_width - offset_x, grid_height - offset_y, 0};
}

// JP2 file (T.800 Annex I): the Image Header box 'ihdr' inside the 'jp2h'
// box holds the height, then the width.
std::optional<ImageHeader> read_jp2(std::string_view bytes) {
    const size_t ihdr = bytes.find("ihdr");
    if (ihdr == std::string_view::npos || bytes.size() - ihdr < 4 + 8) {
        return std::nullopt;
    }
    const auto* data = reinterpret_cast<Bytes>(bytes.data()) + ihdr + 4;
    return ImageHeader{"jpeg2000", read_be32(data + 4), read_be32(data), 0};
}

}  // namespace

std::optional<ImageHeader> read_image_header(std::string_view bytes) {
    const auto* data = reinterpret_cast<Bytes>(bytes.data());
    const size_t size = bytes.size();
    static constexpr std::string_view kPng("\x89PNG\r\n\x1A\n", 8);
    static constexpr std::string_view kJp2("\0\0\0\x0CjP  \r\n\x87\n", 12);

    if (bytes.substr(0, 8) == kPng) {
        if (size < 24) {
            return std::nullopt;
        }
        return ImageHeader{"png", read_be32(data + 16), read_be32(data + 20), 0};
    }
    if (size >= 4 && data[0] == 0xFF && data[1] == 0xD8) {
        return read_jpeg(data, size);
    }
    if (size >= 4 && data[0] == 0xFF && data[1] == 0x4F) {
        return read_j2k_codestream(data, size);
    }
    if (bytes.substr(0, 12) == kJp2) {
        return read_jp2(bytes);
    }
    if (size >= 10 && bytes.substr(0, 4) == "GIF8") {
        return ImageHeader{"gif", read_le16(data + 6), read_le16(data + 8), 0};
    }
    if (size >= 26 && bytes.substr(0, 2) == "BM") {
        const auto width = static_cast<int32_t>(read_le32(data + 18));
        const auto height = static_cast<int32_t>(read_le32(data + 22));
        return ImageHeader{"bmp", std::abs(int64_t{width}), std::abs(int64_t{height}), 0};
    }
    if (size >= 30 && bytes.substr(0, 4) == "RIFF" && bytes.substr(8, 4) == "WEBP") {
        const auto chunk = bytes.substr(12, 4);
        if (chunk == "VP8X") {
            return ImageHeader{"webp", int64_t{read_le24(data + 24)} + 1, int64_t{read_le24(data + 27)} + 1, 0};
        }
        if (chunk == "VP8 ") {
            return ImageHeader{"webp", read_le16(data + 26) & 0x3FFF, read_le16(data + 28) & 0x3FFF, 0};
        }
        if (chunk == "VP8L") {
            const uint32_t bits = read_le32(data + 21);
            return ImageHeader{"webp", int64_t{bits & 0x3FFF} + 1, int64_t{(bits >> 14) & 0x3FFF} + 1, 0};
        }
        return std::nullopt;
    }
    if (size >= 8 && (bytes.substr(0, 4) == std::string_view("II*\0", 4) ||
                      bytes.substr(0, 4) == std::string_view("MM\0*", 4))) {
        return read_tiff(data, size);
    }
    if (size >= 3 && data[0] == 'P' && data[1] >= '1' && data[1] <= '6') {
        return read_pnm(bytes);
    }
    return std::nullopt;
}

std::string format_of_extension(std::string_view file_name) {
    const size_t dot = file_name.rfind('.');
    if (dot == std::string_view::npos) {
        return "";
    }
    const std::string extension = to_lower_ascii(file_name.substr(dot + 1));
    if (extension == "jpg" || extension == "jpeg" || extension == "jpe") {
        return "jpeg";
    }
    if (extension == "tif" || extension == "tiff") {
        return "tiff";
    }
    if (extension == "pbm" || extension == "pgm" || extension == "ppm" || extension == "pnm") {
        return "pnm";
    }
    if (extension == "jp2" || extension == "j2k" || extension == "jpf" || extension == "jpx") {
        return "jpeg2000";
    }
    for (const char* format : {"png", "bmp", "webp", "gif"}) {
        if (extension == format) {
            return format;
        }
    }
    return "";
}

}  // namespace medvlm
