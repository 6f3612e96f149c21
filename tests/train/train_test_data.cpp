#include "train/train_test_data.hpp"

#include <set>

#include <nlohmann/json.hpp>

#include "data/dataset.hpp"
#include "support/test_support.hpp"

namespace medvlm::testing {

std::filesystem::path write_stage_file(const std::filesystem::path& path, const StageSource& source) {
    const auto data = shared_data_dir();
    DatasetOptions options;
    options.benchmark = source.benchmark;
    options.data_file = data / source.data_file;
    options.image_root = data / source.image_root;
    options.split = source.split;
    const Dataset dataset = load_dataset(options);

    std::string content;
    std::set<std::string> images_used;
    std::set<std::string> questions_used;
    size_t written = 0;
    for (const auto& example : dataset.examples) {
        if (written == source.count) {
            break;
        }
        if (source.distinct_images && !example.images.empty() && images_used.count(example.images.front().sha256) > 0) {
            continue;
        }
        if (source.distinct_questions && questions_used.count(example.question) > 0) {
            continue;
        }
        if (!example.images.empty()) {
            images_used.insert(example.images.front().sha256);
        }
        questions_used.insert(example.question);
        nlohmann::json images = nlohmann::json::array();
        nlohmann::json hashes = nlohmann::json::array();
        for (const auto& image : example.images) {
            images.push_back(std::filesystem::absolute(image.path).string());
            hashes.push_back(image.sha256);
        }
        const std::string benchmark = benchmark_name(source.benchmark);
        const nlohmann::json line = {
            {"id", benchmark + ":" + source.split + ":" + example.id},
            {"stage", 2},
            {"source", {{"benchmark", benchmark}, {"file", source.data_file}, {"record_id", example.id}}},
            {"images", images},
            {"image_sha256", hashes},
            {"prompt", example.question + "\nAnswer with a word or a short phrase."},
            {"answer", example.answer},
        };
        content += line.dump() + "\n";
        ++written;
    }
    if (written < source.count) {
        throw std::runtime_error("only " + std::to_string(written) + " usable records in " + source.data_file);
    }
    write_text(path, content);
    return path;
}

StageSource slake_train(size_t count) {
    return {Benchmark::Slake, "slake/train.json", "slake/images", "train", count, true, false};
}

StageSource vqa_rad_train(size_t count) {
    return {Benchmark::VqaRad, "vqa_rad/VQA_RAD_Dataset_Public.train.json", "vqa_rad/images", "train", count, true,
            false};
}

SessionOptions tiny_session_options(Variant variant, const std::filesystem::path& dir, int rank) {
    const auto& files = tiny_model(1);
    SessionOptions options;
    options.model = files.model;
    options.mmproj = files.mmproj;
    options.variant = variant;
    options.late_vision_blocks = variant == Variant::C ? 1 : 0;
    options.rank = rank;
    options.alpha = static_cast<float>(2 * rank);
    options.seed = 7;
    options.threads = 1;
    options.cache_dir = dir / "vision-cache";
    return options;
}

}  // namespace medvlm::testing
