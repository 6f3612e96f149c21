// The pHash near-duplicate check on real SLAKE and VQA-RAD images, and the
// measurements behind its default threshold: resized and re-compressed
// copies stay within the threshold, different images of the same modality
// stay outside it.

#include <gtest/gtest.h>

#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include "core/files.hpp"
#include "core/sha256.hpp"
#include "leakage/hamming_index.hpp"
#include "leakage/image_fingerprint.hpp"
#include "leakage/leakage_checks.hpp"
#include "support/test_support.hpp"

namespace medvlm {
namespace {

namespace fs = std::filesystem;

std::string encode(const cv::Mat& image, const std::string& extension, std::vector<int> parameters = {}) {
    std::vector<unsigned char> bytes;
    cv::imencode(extension, image, bytes, parameters);
    return std::string(reinterpret_cast<const char*>(bytes.data()), bytes.size());
}

cv::Mat resized(const cv::Mat& image, double scale) {
    cv::Mat out;
    cv::resize(image, out, cv::Size(), scale, scale, scale < 1.0 ? cv::INTER_AREA : cv::INTER_CUBIC);
    return out;
}

struct Copy {
    std::string name;
    std::string bytes;
};

// The copies a re-published data set typically holds.
std::vector<Copy> copies_of(const cv::Mat& image) {
    cv::Mat square;
    cv::resize(image, square, cv::Size(224, 224), 0, 0, cv::INTER_AREA);
    return {
        {"resized 0.5x, PNG", encode(resized(image, 0.5), ".png")},
        {"resized 0.75x, PNG", encode(resized(image, 0.75), ".png")},
        {"resized 1.5x, PNG", encode(resized(image, 1.5), ".png")},
        {"JPEG quality 90", encode(image, ".jpg", {cv::IMWRITE_JPEG_QUALITY, 90})},
        {"JPEG quality 50", encode(image, ".jpg", {cv::IMWRITE_JPEG_QUALITY, 50})},
        {"JPEG quality 30", encode(image, ".jpg", {cv::IMWRITE_JPEG_QUALITY, 30})},
        {"resized 0.75x, JPEG quality 70", encode(resized(image, 0.75), ".jpg", {cv::IMWRITE_JPEG_QUALITY, 70})},
        {"squeezed to 224x224, JPEG quality 60", encode(square, ".jpg", {cv::IMWRITE_JPEG_QUALITY, 60})},
    };
}

std::vector<fs::path> sample_images() {
    const fs::path data = testing::shared_data_dir();
    std::vector<fs::path> all;
    for (const auto& folder : {data / "vqa_rad/images", data / "slake/images"}) {
        std::vector<fs::path> found;
        for (const auto& entry : fs::recursive_directory_iterator(folder)) {
            if (entry.is_regular_file()) {
                found.push_back(entry.path());
            }
        }
        std::sort(found.begin(), found.end());
        // Every 12th image: about 26 VQA-RAD and 52 SLAKE images.
        for (size_t i = 0; i < found.size(); i += 12) {
            all.push_back(found[i]);
        }
    }
    return all;
}

uint64_t phash_of_file(const fs::path& path) {
    const ImageFingerprint fingerprint = fingerprint_file(path, ImageLimits{});
    EXPECT_EQ(fingerprint.problem, "") << path;
    return fingerprint.phash;
}

TEST(Phash, FindsResizedAndRecompressedCopies) {
    const auto originals = sample_images();
    ASSERT_GT(originals.size(), 70u);
    std::vector<uint64_t> stored;
    for (const auto& path : originals) {
        stored.push_back(phash_of_file(path));
    }
    const HammingIndex index(stored, kDefaultPhashMaxDistance);

    int largest = 0;
    for (size_t i = 0; i < originals.size(); ++i) {
        const cv::Mat image = cv::imread(originals[i].string(), cv::IMREAD_COLOR);
        for (const auto& copy : copies_of(image)) {
            const ImageFingerprint fingerprint = fingerprint_bytes(copy.bytes, ImageLimits{}, copy.name);
            ASSERT_EQ(fingerprint.problem, "");
            EXPECT_NE(fingerprint.file_sha256, sha256_file(originals[i]));
            const int distance = hamming_distance(fingerprint.phash, stored[i]);
            largest = std::max(largest, distance);
            EXPECT_LE(distance, kDefaultPhashMaxDistance) << originals[i] << ", " << copy.name;

            bool found = false;
            for (const auto& match : index.query(fingerprint.phash)) {
                found = found || match.index == i;
            }
            EXPECT_TRUE(found) << originals[i] << ", " << copy.name;
        }
    }
    // Measured on all 937 images of both data sets: at most 3 bits.
    EXPECT_LE(largest, 3);
}

TEST(Phash, DifferentImagesOfSameModalityDoNotMatch) {
    const fs::path rad = testing::shared_data_dir() / "vqa_rad/images";
    const fs::path slake = testing::shared_data_dir() / "slake/images";
    // Two chest radiographs and two abdominal CTs of different VQA-RAD
    // cases, which OpenCV's pHash without the area-averaged thumbnail puts
    // only 6 and 7 bits apart, and axial T2 brain MRIs of two SLAKE patients.
    const std::vector<std::pair<fs::path, fs::path>> pairs = {
        {rad / "synpic18651.jpg", rad / "synpic39532.jpg"},
        {rad / "synpic34515.jpg", rad / "synpic39141.jpg"},
        {slake / "xmlab435/source.jpg", slake / "xmlab531/source.jpg"},
    };
    for (const auto& [a, b] : pairs) {
        const int distance = hamming_distance(phash_of_file(a), phash_of_file(b));
        EXPECT_GT(distance, kDefaultPhashMaxDistance) << a << " vs " << b;
    }
}

// Adjacent slices of one neck CT, stored by SLAKE under two image ids, are
// near-duplicates: a model trained on one has seen the other.
TEST(Phash, AdjacentSlicesOfOneScanMatch) {
    const fs::path slake = testing::shared_data_dir() / "slake/images";
    const int distance =
        hamming_distance(phash_of_file(slake / "xmlab415/source.jpg"), phash_of_file(slake / "xmlab416/source.jpg"));
    EXPECT_LE(distance, kDefaultPhashMaxDistance);
}

// Every pair of different VQA-RAD images with the same organ label.
TEST(Phash, DifferentVqaRadImagesStayApart) {
    const fs::path data = testing::shared_data_dir() / "vqa_rad";
    std::map<std::string, std::string> organ_of;
    for (const char* file : {"VQA_RAD_Dataset_Public.train.json", "VQA_RAD_Dataset_Public.test.json"}) {
        for (const auto& record : read_json_file(data / file)) {
            organ_of[record.at("image_name").get<std::string>()] = record.at("image_organ").get<std::string>();
        }
    }
    ASSERT_EQ(organ_of.size(), 313u);

    std::vector<std::pair<std::string, uint64_t>> hashes;
    for (const auto& [name, organ] : organ_of) {
        hashes.emplace_back(name, phash_of_file(data / "images" / name));
    }
    size_t pairs = 0;
    int closest = 64;
    for (size_t i = 0; i < hashes.size(); ++i) {
        for (size_t j = i + 1; j < hashes.size(); ++j) {
            if (organ_of[hashes[i].first] != organ_of[hashes[j].first]) {
                continue;
            }
            ++pairs;
            const int distance = hamming_distance(hashes[i].second, hashes[j].second);
            closest = std::min(closest, distance);
            EXPECT_GT(distance, kDefaultPhashMaxDistance) << hashes[i].first << " vs " << hashes[j].first;
        }
    }
    EXPECT_GT(pairs, 16000u);
    EXPECT_EQ(closest, 5);
}

}  // namespace
}  // namespace medvlm
