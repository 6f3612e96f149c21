#include "data/image.hpp"

#include <fstream>

#include <opencv2/core.hpp>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

namespace medvlm {
namespace {

uint32_t read_be32(const unsigned char* p) {
    return (uint32_t{p[0]} << 24) | (uint32_t{p[1]} << 16) | (uint32_t{p[2]} << 8) | p[3];
}
uint32_t read_be16(const unsigned char* p) { return (uint32_t{p[0]} << 8) | p[1]; }
uint32_t read_le16(const unsigned char* p) { return uint32_t{p[0]} | (uint32_t{p[1]} << 8); }
uint32_t read_le24(const unsigned char* p) { return read_le16(p) | (uint32_t{p[2]} << 16); }
int32_t read_le32(const unsigned char* p) {
    return static_cast<int32_t>(read_le24(p) | (uint32_t{p[3]} << 24));
}

bool read_jpeg_size(const unsigned char* data, size_t size, int64_t& width, int64_t& height) {
    size_t pos = 2;
    while (pos + 4 <= size) {
        if (data[pos] != 0xFF) {
            return false;
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
        const bool is_frame_header = marker >= 0xC0 && marker <= 0xCF && marker != 0xC4 &&
                                     marker != 0xC8 && marker != 0xCC;
        if (is_frame_header) {
            if (pos + 9 > size) {
                return false;
            }
            height = read_be16(data + pos + 5);
            width = read_be16(data + pos + 7);
            return true;
        }
        if (marker == 0xD9 || length < 2) {
            return false;
        }
        pos += 2 + length;
    }
    return false;
}

}  // namespace

std::string image_problem_name(ImageProblem problem) {
    switch (problem) {
        case ImageProblem::NotFound: return "not_found";
        case ImageProblem::EscapesRoot: return "escapes_root";
        case ImageProblem::NotAFile: return "not_a_file";
        case ImageProblem::Empty: return "empty";
        case ImageProblem::TooLarge: return "too_large";
        case ImageProblem::Undecodable: return "undecodable";
    }
    return "unknown";
}

std::filesystem::path resolve_image_path(const std::filesystem::path& root, const std::string& name) {
    namespace fs = std::filesystem;
    const fs::path relative(name);
    if (name.empty()) {
        throw ImageError(ImageProblem::NotFound, "image name is empty");
    }
    if (name.find('\0') != std::string::npos || relative.is_absolute() || relative.has_root_name() ||
        relative.has_root_directory()) {
        throw ImageError(ImageProblem::EscapesRoot,
                         "image '" + name + "' is an absolute path; records must name images relative to --image-root");
    }
    for (const auto& part : relative) {
        if (part == "..") {
            throw ImageError(ImageProblem::EscapesRoot,
                             "image '" + name + "' contains '..' and would leave --image-root");
        }
    }

    std::error_code ec;
    const fs::path joined = root / relative;
    if (!fs::exists(fs::symlink_status(joined, ec)) || !fs::exists(joined, ec)) {
        throw ImageError(ImageProblem::NotFound,
                         "image '" + name + "' not found under --image-root " + root.string());
    }
    const fs::path canonical_root = fs::canonical(root, ec);
    const fs::path canonical_path = fs::canonical(joined, ec);
    if (ec) {
        throw ImageError(ImageProblem::NotFound, "image '" + name + "' cannot be resolved under --image-root " +
                                                     root.string() + ": " + ec.message());
    }
    auto root_it = canonical_root.begin();
    auto path_it = canonical_path.begin();
    for (; root_it != canonical_root.end(); ++root_it, ++path_it) {
        if (path_it == canonical_path.end() || *root_it != *path_it) {
            throw ImageError(ImageProblem::EscapesRoot,
                             "image '" + name + "' is a link to " + canonical_path.string() +
                                 ", outside --image-root " + canonical_root.string());
        }
    }
    if (!fs::is_regular_file(canonical_path, ec)) {
        throw ImageError(ImageProblem::NotAFile, "image '" + name + "' is not a regular file (" +
                                                     canonical_path.string() + ")");
    }
    return canonical_path;
}

bool read_image_header_size(std::string_view bytes, int64_t& width, int64_t& height) {
    const auto* data = reinterpret_cast<const unsigned char*>(bytes.data());
    const size_t size = bytes.size();
    static constexpr unsigned char kPng[] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n'};

    if (size >= 24 && std::equal(std::begin(kPng), std::end(kPng), data)) {
        width = read_be32(data + 16);
        height = read_be32(data + 20);
        return true;
    }
    if (size >= 4 && data[0] == 0xFF && data[1] == 0xD8) {
        return read_jpeg_size(data, size, width, height);
    }
    if (size >= 10 && bytes.substr(0, 4) == "GIF8") {
        width = read_le16(data + 6);
        height = read_le16(data + 8);
        return true;
    }
    if (size >= 26 && bytes.substr(0, 2) == "BM") {
        width = std::abs(static_cast<int64_t>(read_le32(data + 18)));
        height = std::abs(static_cast<int64_t>(read_le32(data + 22)));
        return true;
    }
    if (size >= 30 && bytes.substr(0, 4) == "RIFF" && bytes.substr(8, 4) == "WEBP") {
        const auto chunk = bytes.substr(12, 4);
        if (chunk == "VP8X") {
            width = int64_t{read_le24(data + 24)} + 1;
            height = int64_t{read_le24(data + 27)} + 1;
            return true;
        }
        if (chunk == "VP8 " && size >= 30) {
            width = read_le16(data + 26) & 0x3FFF;
            height = read_le16(data + 28) & 0x3FFF;
            return true;
        }
        if (chunk == "VP8L" && size >= 25) {
            const uint32_t bits = static_cast<uint32_t>(read_le32(data + 21));
            width = int64_t{bits & 0x3FFF} + 1;
            height = int64_t{(bits >> 14) & 0x3FFF} + 1;
            return true;
        }
    }
    return false;
}

DecodedImage decode_image(std::string_view bytes, const ImageLimits& limits, const std::string& label) {
    if (bytes.empty()) {
        throw ImageError(ImageProblem::Empty, label + ": image file is empty (0 bytes)");
    }
    if (static_cast<int64_t>(bytes.size()) > limits.max_file_bytes) {
        throw ImageError(ImageProblem::TooLarge,
                         label + ": image file is " + std::to_string(bytes.size()) +
                             " bytes, above the limit of " + std::to_string(limits.max_file_bytes) +
                             " (--max-image-bytes)");
    }
    int64_t header_width = 0;
    int64_t header_height = 0;
    if (read_image_header_size(bytes, header_width, header_height) &&
        header_width * header_height > limits.max_pixels) {
        throw ImageError(ImageProblem::TooLarge,
                         label + ": image header declares " + std::to_string(header_width) + " x " +
                             std::to_string(header_height) + " pixels, above the limit of " +
                             std::to_string(limits.max_pixels) + " pixels (--max-image-pixels)");
    }

    cv::Mat decoded;
    try {
        const cv::Mat buffer(1, static_cast<int>(bytes.size()), CV_8U,
                             const_cast<char*>(bytes.data()));
        decoded = cv::imdecode(buffer, cv::IMREAD_UNCHANGED | cv::IMREAD_ANYDEPTH);
    } catch (const cv::Exception& e) {
        throw ImageError(ImageProblem::Undecodable, label + ": OpenCV cannot decode the image (" +
                                                        std::string(e.what()) + ")");
    }
    if (decoded.empty() || decoded.cols <= 0 || decoded.rows <= 0) {
        throw ImageError(ImageProblem::Undecodable,
                         label + ": not a decodable image (corrupt, truncated or an unsupported format)");
    }
    if (int64_t{decoded.cols} * decoded.rows > limits.max_pixels) {
        throw ImageError(ImageProblem::TooLarge,
                         label + ": image is " + std::to_string(decoded.cols) + " x " +
                             std::to_string(decoded.rows) + " pixels, above the limit of " +
                             std::to_string(limits.max_pixels) + " pixels (--max-image-pixels)");
    }

    DecodedImage image;
    if (decoded.depth() == CV_16U) {
        decoded.convertTo(decoded, CV_8U, 1.0 / 257.0);
        image.conversions.emplace_back("16-bit");
    } else if (decoded.depth() != CV_8U) {
        throw ImageError(ImageProblem::Undecodable,
                         label + ": unsupported sample type (only 8- and 16-bit integer images are accepted)");
    }

    cv::Mat rgb;
    switch (decoded.channels()) {
        case 1:
            cv::cvtColor(decoded, rgb, cv::COLOR_GRAY2RGB);
            image.conversions.emplace_back("grayscale");
            break;
        case 3:
            cv::cvtColor(decoded, rgb, cv::COLOR_BGR2RGB);
            break;
        case 2:
        case 4: {
            std::vector<cv::Mat> planes;
            cv::split(decoded, planes);
            cv::Mat alpha;
            planes.back().convertTo(alpha, CV_32F, 1.0 / 255.0);
            cv::Mat color;
            if (planes.size() == 2) {
                cv::cvtColor(planes[0], color, cv::COLOR_GRAY2RGB);
                image.conversions.emplace_back("grayscale");
            } else {
                cv::merge(std::vector<cv::Mat>{planes[2], planes[1], planes[0]}, color);
            }
            cv::Mat color_f;
            color.convertTo(color_f, CV_32FC3);
            cv::Mat alpha3;
            cv::merge(std::vector<cv::Mat>{alpha, alpha, alpha}, alpha3);
            const cv::Mat white(color_f.size(), CV_32FC3, cv::Scalar(255, 255, 255));
            cv::Mat blended = color_f.mul(alpha3) + white.mul(cv::Scalar(1, 1, 1) - alpha3);
            blended.convertTo(rgb, CV_8UC3);
            image.conversions.emplace_back("alpha");
            break;
        }
        default:
            throw ImageError(ImageProblem::Undecodable,
                             label + ": unsupported channel count " + std::to_string(decoded.channels()));
    }

    image.width = rgb.cols;
    image.height = rgb.rows;
    image.rgb.assign(rgb.datastart, rgb.dataend);
    return image;
}

DecodedImage load_image(const std::filesystem::path& path, const ImageLimits& limits) {
    std::error_code ec;
    const auto size = std::filesystem::file_size(path, ec);
    if (ec) {
        throw ImageError(ImageProblem::NotFound, path.string() + ": cannot read image (" + ec.message() + ")");
    }
    if (static_cast<int64_t>(size) > limits.max_file_bytes) {
        throw ImageError(ImageProblem::TooLarge,
                         path.string() + ": image file is " + std::to_string(size) +
                             " bytes, above the limit of " + std::to_string(limits.max_file_bytes) +
                             " (--max-image-bytes)");
    }
    std::ifstream in(path, std::ios::binary);
    std::string bytes(size, '\0');
    in.read(bytes.data(), static_cast<std::streamsize>(size));
    if (!in) {
        throw ImageError(ImageProblem::NotFound, path.string() + ": read failed");
    }
    return decode_image(bytes, limits, path.string());
}

}  // namespace medvlm
