#include "data/image.hpp"

#include <fstream>

#include <opencv2/core.hpp>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include "data/image_header.hpp"

namespace medvlm {
namespace {

constexpr unsigned kOpaque = 255;

// Alpha compositing over white in integer arithmetic:
// round((c * a + 255 * (255 - a)) / 255), the same value as the float
// formula c * a / 255 + 255 * (1 - a / 255) rounded to nearest.
unsigned char over_white(unsigned color, unsigned alpha) {
    return static_cast<unsigned char>((color * alpha + kOpaque * (kOpaque - alpha) + 127) / kOpaque);
}

// 8-bit gray + alpha (2 channels) or BGRA (4 channels) to RGB over white.
cv::Mat composite_over_white(const cv::Mat& decoded) {
    const int channels = decoded.channels();
    cv::Mat rgb(decoded.rows, decoded.cols, CV_8UC3);
    for (int y = 0; y < decoded.rows; ++y) {
        const unsigned char* in = decoded.ptr<unsigned char>(y);
        unsigned char* out = rgb.ptr<unsigned char>(y);
        for (int x = 0; x < decoded.cols; ++x, in += channels, out += 3) {
            const unsigned alpha = in[channels - 1];
            const unsigned red = channels == 2 ? in[0] : in[2];
            const unsigned green = channels == 2 ? in[0] : in[1];
            const unsigned blue = in[0];
            out[0] = over_white(red, alpha);
            out[1] = over_white(green, alpha);
            out[2] = over_white(blue, alpha);
        }
    }
    return rgb;
}

std::string first_bytes_hex(std::string_view bytes) {
    static constexpr char kDigits[] = "0123456789ABCDEF";
    std::string hex;
    for (size_t i = 0; i < bytes.size() && i < 8; ++i) {
        const auto byte = static_cast<unsigned char>(bytes[i]);
        hex += (i > 0 ? " " : "");
        hex += kDigits[byte >> 4];
        hex += kDigits[byte & 0xF];
    }
    return hex;
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
    const auto header = read_image_header(bytes);
    if (!header) {
        return false;
    }
    width = header->width;
    height = header->height;
    return true;
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

    // Only formats whose header gives the size reach OpenCV, so the pixel
    // limit holds before any pixel buffer is allocated.
    const auto header = read_image_header(bytes);
    if (!header) {
        throw ImageError(ImageProblem::Undecodable,
                         label + ": no readable PNG, JPEG, BMP, WebP, TIFF, PNM or JPEG 2000 header (first bytes " +
                             first_bytes_hex(bytes) + "); the file is truncated, corrupt or in another format. " +
                             "Convert it to PNG");
    }
    if (header->width > 0 && header->height > 0 && header->width > limits.max_pixels / header->height) {
        throw ImageError(ImageProblem::TooLarge,
                         label + ": image header declares " + std::to_string(header->width) + " x " +
                             std::to_string(header->height) + " pixels, above the limit of " +
                             std::to_string(limits.max_pixels) + " pixels (--max-image-pixels)");
    }
    if (header->format == "gif") {
        throw ImageError(ImageProblem::Undecodable,
                         label + ": GIF images cannot be decoded by the OpenCV medvlm uses; convert it to PNG");
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
    image.format = header->format;
    if (decoded.depth() == CV_16U) {
        decoded.convertTo(decoded, CV_8U, 1.0 / 257.0);
        image.conversions.emplace_back("16-bit");
    } else if (decoded.depth() != CV_8U) {
        throw ImageError(ImageProblem::Undecodable,
                         label + ": unsupported sample type (only 8- and 16-bit integer images are accepted)");
    }
    if (header->format == "jpeg" && header->components == 4) {
        // libjpeg hands OpenCV the CMYK (or YCCK) samples and OpenCV turns
        // them into BGR as Adobe's inverted CMYK, without a colour profile.
        image.conversions.emplace_back("cmyk");
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
        case 4:
            rgb = composite_over_white(decoded);
            if (decoded.channels() == 2) {
                image.conversions.emplace_back("grayscale");
            }
            image.conversions.emplace_back("alpha");
            break;
        default:
            throw ImageError(ImageProblem::Undecodable,
                             label + ": unsupported channel count " + std::to_string(decoded.channels()));
    }

    image.width = rgb.cols;
    image.height = rgb.rows;
    image.rgb.assign(rgb.datastart, rgb.dataend);
    return image;
}

std::string read_image_file(const std::filesystem::path& path, const ImageLimits& limits) {
    std::error_code ec;
    if (!std::filesystem::is_regular_file(path, ec)) {
        throw ImageError(ImageProblem::NotAFile, path.string() + ": not a regular file");
    }
    const auto size = std::filesystem::file_size(path, ec);
    if (ec) {
        throw ImageError(ImageProblem::NotFound, path.string() + ": cannot read image (" + ec.message() + ")");
    }
    if (size > static_cast<uintmax_t>(limits.max_file_bytes)) {
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
    return bytes;
}

DecodedImage load_image(const std::filesystem::path& path, const ImageLimits& limits) {
    return decode_image(read_image_file(path, limits), limits, path.string());
}

}  // namespace medvlm
