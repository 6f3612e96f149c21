#include "leakage/image_fingerprint.hpp"

#include <atomic>
#include <bit>
#include <map>
#include <thread>

#include <fmt/format.h>
#include <opencv2/core.hpp>
#include <opencv2/img_hash.hpp>
#include <opencv2/imgproc.hpp>

#include "core/files.hpp"
#include "core/sha256.hpp"

namespace medvlm {

uint64_t phash_of(const DecodedImage& image) {
    // cv::Mat only reads the buffer here; the const_cast is for its constructor.
    const cv::Mat rgb(image.height, image.width, CV_8UC3, const_cast<unsigned char*>(image.rgb.data()));
    cv::Mat gray;
    cv::cvtColor(rgb, gray, cv::COLOR_RGB2GRAY);
    // OpenCV's pHash shrinks its input to 32x32 by bilinear interpolation,
    // which samples a few pixels of a large image and lets a half-size copy
    // drift by up to 8 bits on the SLAKE and VQA-RAD images. Averaging down
    // to 32x32 first keeps resized and re-compressed copies within 3 bits.
    cv::Mat thumbnail;
    cv::resize(gray, thumbnail, cv::Size(32, 32), 0, 0, cv::INTER_AREA);
    cv::Mat hash;
    cv::img_hash::pHash(thumbnail, hash);
    uint64_t value = 0;
    for (int i = 0; i < hash.cols; ++i) {
        value = (value << 8) | hash.at<uint8_t>(0, i);
    }
    return value;
}

int hamming_distance(uint64_t a, uint64_t b) { return std::popcount(a ^ b); }

ImageFingerprint fingerprint_bytes(std::string_view bytes, const ImageLimits& limits, const std::string& label) {
    ImageFingerprint fingerprint;
    fingerprint.file_sha256 = sha256_hex(bytes);
    try {
        const DecodedImage image = decode_image(bytes, limits, label);
        // NOTE: valgrind reports uninitialised bytes in libjpeg-turbo's
        // output for VQA-RAD synpic19782.jpg (Debian libjpeg.so.62.3.0).
        // Repeated runs gave identical hashes for it, but they depend on
        // what that memory holds.
        std::string pixels = fmt::format("{}x{}\n", image.width, image.height);
        pixels.append(reinterpret_cast<const char*>(image.rgb.data()), image.rgb.size());
        fingerprint.pixel_sha256 = sha256_hex(pixels);
        fingerprint.phash = phash_of(image);
        fingerprint.width = image.width;
        fingerprint.height = image.height;
    } catch (const InputError& e) {
        fingerprint.problem = e.what();
    } catch (const cv::Exception& e) {
        fingerprint.problem = label + ": OpenCV failed while hashing the image: " + e.what();
    }
    return fingerprint;
}

ImageFingerprint fingerprint_file(const std::filesystem::path& path, const ImageLimits& limits) {
    std::string bytes;
    try {
        bytes = read_file(path);
    } catch (const InputError& e) {
        ImageFingerprint fingerprint;
        fingerprint.problem = e.what();
        return fingerprint;
    }
    return fingerprint_bytes(bytes, limits, "image " + path.string());
}

ImageTable fingerprint_sources(const std::vector<Source*>& sources, const ImageLimits& limits, unsigned threads,
                               bool skip_invalid) {
    ImageTable table;
    std::map<std::filesystem::path, size_t> index;
    for (Source* source : sources) {
        for (auto& record : source->records) {
            for (auto& image : record.images) {
                if (!image.problem.empty()) {
                    continue;
                }
                const auto [it, inserted] = index.emplace(image.path, table.paths.size());
                if (inserted) {
                    table.paths.push_back(image.path);
                }
                image.fingerprint = static_cast<int64_t>(it->second);
            }
        }
    }

    // Workers take the next path from a shared counter; each writes only
    // its own slots of `fingerprints`.
    table.fingerprints.resize(table.paths.size());
    std::atomic<size_t> next{0};
    const auto work = [&] {
        for (size_t i = next++; i < table.paths.size(); i = next++) {
            table.fingerprints[i] = fingerprint_file(table.paths[i], limits);
        }
    };
    const unsigned count = std::max(1u, std::min<unsigned>(threads, static_cast<unsigned>(table.paths.size())));
    std::vector<std::thread> workers;
    for (unsigned i = 1; i < count; ++i) {
        workers.emplace_back(work);
    }
    work();
    for (auto& worker : workers) {
        worker.join();
    }

    size_t failed = 0;
    const SourceRecord* first = nullptr;
    std::string first_problem;
    for (Source* source : sources) {
        for (auto& record : source->records) {
            for (auto& image : record.images) {
                if (image.fingerprint < 0) {
                    continue;
                }
                const auto& fingerprint = table.fingerprints[static_cast<size_t>(image.fingerprint)];
                if (fingerprint.problem.empty()) {
                    continue;
                }
                ++failed;
                if (first == nullptr) {
                    first = &record;
                    first_problem = fingerprint.problem;
                }
                image.problem = fingerprint.problem;
                image.fingerprint = -1;
            }
        }
    }
    if (first != nullptr && !skip_invalid) {
        throw InputError(fmt::format("{}: {}. {} image references cannot be decoded. Fix or remove the images, or "
                                     "pass --skip-invalid to keep going and list them.",
                                     first->location, first_problem, failed));
    }
    return table;
}

}  // namespace medvlm
