#include "data/stand_in_images.hpp"

#include <set>

#include <opencv2/core.hpp>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include "core/error.hpp"
#include "core/files.hpp"
#include "core/random.hpp"
#include "core/sha256.hpp"
#include "core/text.hpp"
#include "core/version.hpp"

namespace medvlm {
namespace {

// The encoder extension OpenCV takes for a file name, or "" when the
// format is not supported.
std::string encoder_extension(const std::string& name) {
    const std::string extension = to_lower_ascii(std::filesystem::path(name).extension().string());
    if (extension == ".jpeg" || extension == ".jpg") {
        return ".jpg";
    }
    if (extension == ".png" || extension == ".bmp") {
        return extension;
    }
    return "";
}

void check_name(const std::string& name) {
    const std::filesystem::path path(name);
    bool escapes = path.is_absolute() || name.empty();
    for (const auto& part : path) {
        escapes = escapes || part == "..";
    }
    if (escapes) {
        throw InputError("image name '" + name + "' is not a relative path inside the output folder");
    }
    if (encoder_extension(name).empty()) {
        throw InputError("image name '" + name +
                         "': stand-in images can be written as .jpeg, .jpg, .png or .bmp only");
    }
}

uint64_t name_seed(const std::string& name, uint64_t seed) {
    const std::string digest = sha256_hex(name);
    return std::stoull(digest.substr(0, 16), nullptr, 16) ^ seed;
}

cv::Scalar random_color(SplitMix64& random) {
    return {static_cast<double>(random.below(256)), static_cast<double>(random.below(256)),
            static_cast<double>(random.below(256))};
}

// A seeded pattern: a two-colour gradient, a few filled shapes and the
// label "STAND-IN".
cv::Mat draw_stand_in(const std::string& name, const StandInImageOptions& options) {
    SplitMix64 random(name_seed(name, options.seed));
    const int size = options.size;
    cv::Mat image(size, size, CV_8UC3);
    const cv::Scalar top = random_color(random);
    const cv::Scalar bottom = random_color(random);
    for (int y = 0; y < size; ++y) {
        const double t = size > 1 ? static_cast<double>(y) / (size - 1) : 0.0;
        image.row(y).setTo(top * (1 - t) + bottom * t);
    }
    for (int shape = 0; shape < 4; ++shape) {
        const cv::Point centre(static_cast<int>(random.below(static_cast<uint64_t>(size))),
                               static_cast<int>(random.below(static_cast<uint64_t>(size))));
        const int radius = 2 + static_cast<int>(random.below(static_cast<uint64_t>(std::max(1, size / 4))));
        if (shape % 2 == 0) {
            cv::circle(image, centre, radius, random_color(random), cv::FILLED);
        } else {
            cv::rectangle(image, centre, centre + cv::Point(radius, radius), random_color(random), cv::FILLED);
        }
    }
    const double scale = static_cast<double>(size) / 160.0;
    cv::putText(image, "STAND-IN", cv::Point(2, size / 2), cv::FONT_HERSHEY_SIMPLEX, scale, cv::Scalar(255, 255, 255),
                1, cv::LINE_AA);
    return image;
}

}  // namespace

size_t write_stand_in_images(const std::vector<std::string>& names, const std::filesystem::path& out_dir,
                             const StandInImageOptions& options, const nlohmann::json& source) {
    if (options.size < 8 || options.size > 4096) {
        throw InputError("stand-in image size must be between 8 and 4096 pixels, not " + std::to_string(options.size));
    }
    std::error_code ec;
    if (std::filesystem::exists(out_dir, ec) && !std::filesystem::is_empty(out_dir, ec) &&
        !holds_stand_in_images(out_dir)) {
        throw InputError(out_dir.string() + ": folder already contains files but no " + kStandInMarkerFile +
                         "; stand-in images are written only to a new or empty folder, so they never mix with real "
                         "images");
    }

    const std::set<std::string> unique(names.begin(), names.end());
    for (const auto& name : unique) {
        check_name(name);
    }
    std::filesystem::create_directories(out_dir, ec);
    if (ec) {
        throw InputError(out_dir.string() + ": cannot create the folder (" + ec.message() + ")");
    }

    for (const auto& name : unique) {
        std::vector<unsigned char> bytes;
        if (!cv::imencode(encoder_extension(name), draw_stand_in(name, options), bytes)) {
            throw Error("OpenCV could not encode the stand-in image '" + name + "'");
        }
        const auto path = out_dir / name;
        std::filesystem::create_directories(path.parent_path(), ec);
        if (ec) {
            throw InputError(path.parent_path().string() + ": cannot create the folder (" + ec.message() + ")");
        }
        write_file_atomic(path, std::string_view(reinterpret_cast<const char*>(bytes.data()), bytes.size()));
    }

    const nlohmann::json marker = {
        {"kind", "medvlm stand-in images"},
        {"note", "Generated placeholders named as the records name their images. They are not the benchmark's "
                 "images; a score on them says nothing about how a model uses the real images."},
        {"images", unique.size()},
        {"size", options.size},
        {"seed", options.seed},
        {"source", source},
        {"medvlm_version", medvlm_version()},
    };
    write_json_atomic(out_dir / kStandInMarkerFile, marker);
    return unique.size();
}

bool holds_stand_in_images(const std::filesystem::path& image_root) {
    std::error_code ec;
    return std::filesystem::is_regular_file(image_root / kStandInMarkerFile, ec);
}

}  // namespace medvlm
