#include "engine/openai_image.hpp"

#include <openssl/evp.h>

#include <opencv2/core.hpp>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

namespace medvlm {

std::string base64_encode(std::string_view bytes) {
    std::string encoded(4 * ((bytes.size() + 2) / 3), '\0');
    const int written = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(encoded.data()),
                                        reinterpret_cast<const unsigned char*>(bytes.data()),
                                        static_cast<int>(bytes.size()));
    encoded.resize(static_cast<size_t>(written));
    return encoded;
}

std::string png_data_url(const std::filesystem::path& path, const ImageLimits& limits) {
    DecodedImage decoded = load_image(path, limits);
    const cv::Mat rgb(decoded.height, decoded.width, CV_8UC3, decoded.rgb.data());
    cv::Mat bgr;
    cv::cvtColor(rgb, bgr, cv::COLOR_RGB2BGR);
    std::vector<unsigned char> png;
    if (!cv::imencode(".png", bgr, png)) {
        throw ImageError(ImageProblem::Undecodable, path.string() + ": OpenCV cannot encode the decoded image as PNG");
    }
    const std::string_view bytes(reinterpret_cast<const char*>(png.data()), png.size());
    return "data:image/png;base64," + base64_encode(bytes);
}

std::string ImageUrlCache::get(const std::string& sha256, const std::filesystem::path& path,
                               const ImageLimits& limits) {
    {
        std::lock_guard lock(mutex_);
        const auto it = entries_.find(sha256);
        if (it != entries_.end()) {
            order_.splice(order_.begin(), order_, it->second.position);
            return it->second.url;
        }
    }
    // Encoded outside the lock; two threads may encode the same image once each.
    std::string url = png_data_url(path, limits);

    std::lock_guard lock(mutex_);
    if (entries_.count(sha256) == 0 && url.size() <= max_bytes_) {
        order_.push_front(sha256);
        entries_.emplace(sha256, Entry{url, order_.begin()});
        bytes_ += url.size();
        while (bytes_ > max_bytes_) {
            const auto oldest = entries_.find(order_.back());
            bytes_ -= oldest->second.url.size();
            entries_.erase(oldest);
            order_.pop_back();
        }
    }
    return url;
}

}  // namespace medvlm
