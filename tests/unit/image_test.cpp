// Image decoding: every accepted input becomes 8-bit RGB in the documented
// way, and oversized headers are rejected before decoding.

#include <gtest/gtest.h>

#include <opencv2/imgcodecs.hpp>

#include "data/image.hpp"
#include "support/test_support.hpp"

namespace medvlm {
namespace {

std::string encode(const cv::Mat& image, const std::string& extension) {
    std::vector<unsigned char> bytes;
    cv::imencode(extension, image, bytes);
    return std::string(reinterpret_cast<const char*>(bytes.data()), bytes.size());
}

TEST(DecodeImage, ColorPngBecomesRgb) {
    const cv::Mat bgr(4, 6, CV_8UC3, cv::Scalar(10, 20, 30));  // B=10, G=20, R=30
    const DecodedImage image = decode_image(encode(bgr, ".png"), ImageLimits{}, "test");
    EXPECT_EQ(image.width, 6);
    EXPECT_EQ(image.height, 4);
    ASSERT_EQ(image.rgb.size(), 6u * 4 * 3);
    EXPECT_EQ(image.rgb[0], 30);
    EXPECT_EQ(image.rgb[1], 20);
    EXPECT_EQ(image.rgb[2], 10);
    EXPECT_TRUE(image.conversions.empty());
}

TEST(DecodeImage, GrayscaleIsReplicated) {
    const cv::Mat gray(3, 3, CV_8UC1, cv::Scalar(77));
    const DecodedImage image = decode_image(encode(gray, ".png"), ImageLimits{}, "test");
    EXPECT_EQ(image.rgb[0], 77);
    EXPECT_EQ(image.rgb[2], 77);
    EXPECT_EQ(image.conversions, std::vector<std::string>{"grayscale"});
}

TEST(DecodeImage, SixteenBitIsScaled) {
    const cv::Mat deep(2, 2, CV_16UC1, cv::Scalar(65535));
    const DecodedImage image = decode_image(encode(deep, ".png"), ImageLimits{}, "test");
    EXPECT_EQ(image.rgb[0], 255);
    EXPECT_EQ(image.conversions.front(), "16-bit");
}

TEST(DecodeImage, AlphaIsCompositedOverWhite) {
    cv::Mat rgba(2, 2, CV_8UC4, cv::Scalar(0, 0, 0, 0));  // fully transparent black
    const DecodedImage image = decode_image(encode(rgba, ".png"), ImageLimits{}, "test");
    EXPECT_EQ(image.rgb[0], 255);
    EXPECT_EQ(image.conversions.back(), "alpha");
}

TEST(DecodeImage, HugeHeaderIsRejectedBeforeDecoding) {
    // A PNG signature and IHDR claiming 40000 x 40000 pixels, no image data.
    std::string png = "\x89PNG\r\n\x1a\n";
    png += std::string("\x00\x00\x00\x0dIHDR", 8);
    png += std::string("\x00\x00\x9c\x40\x00\x00\x9c\x40\x08\x02\x00\x00\x00", 13);
    png += std::string(4, '\0');
    try {
        (void)decode_image(png, ImageLimits{}, "bomb.png");
        FAIL() << "expected an ImageError";
    } catch (const ImageError& e) {
        EXPECT_EQ(e.problem(), ImageProblem::TooLarge);
        EXPECT_NE(std::string(e.what()).find("40000 x 40000"), std::string::npos) << e.what();
        EXPECT_NE(std::string(e.what()).find("--max-image-pixels"), std::string::npos);
    }
}

TEST(DecodeImage, HeaderSizesOfCommonFormats) {
    const cv::Mat pixels(5, 7, CV_8UC3, cv::Scalar(1, 2, 3));
    for (const std::string extension : {".png", ".jpg", ".bmp"}) {
        int64_t width = 0;
        int64_t height = 0;
        ASSERT_TRUE(read_image_header_size(encode(pixels, extension), width, height)) << extension;
        EXPECT_EQ(width, 7) << extension;
        EXPECT_EQ(height, 5) << extension;
    }
}

TEST(ResolveImagePath, RejectsEscapes) {
    const auto root = testing::make_temp_dir("resolve");
    testing::write_text(root / "a" / "b.png", "x");
    EXPECT_EQ(resolve_image_path(root, "a/b.png"), std::filesystem::canonical(root / "a/b.png"));
    EXPECT_THROW((void)resolve_image_path(root, "a/../../etc/passwd"), ImageError);
    EXPECT_THROW((void)resolve_image_path(root, "/etc/passwd"), ImageError);
    EXPECT_THROW((void)resolve_image_path(root, ""), ImageError);
    EXPECT_THROW((void)resolve_image_path(root, "missing.png"), ImageError);
}

}  // namespace
}  // namespace medvlm
