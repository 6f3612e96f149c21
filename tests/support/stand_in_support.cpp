#include "support/stand_in_support.hpp"

#include <mutex>

#include "core/files.hpp"
#include "data/loaders.hpp"
#include "data/stand_in_images.hpp"
#include "support/test_support.hpp"

namespace medvlm::testing {

std::filesystem::path medxpertqa_records_file() {
    return shared_data_dir() / "medxpertqa_mm/MM_test.sample.jsonl";
}

const std::filesystem::path& medxpertqa_stand_in_images() {
    static std::mutex mutex;
    static std::filesystem::path folder;
    std::lock_guard lock(mutex);
    if (folder.empty()) {
        const auto records = medxpertqa_records_file();
        const auto parsed = parse_medxpertqa_mm(records.string(), read_file(records), ParseOptions{});
        std::vector<std::string> names;
        for (const auto& example : parsed.examples) {
            for (const auto& image : example.images) {
                names.push_back(image.name);
            }
        }
        const auto out = make_temp_dir("medxpertqa-stand-ins") / "images";
        (void)write_stand_in_images(names, out, StandInImageOptions{}, {{"data_file", records.string()}});
        folder = out;
    }
    return folder;
}

Dataset load_medxpertqa_with_stand_ins(size_t limit) {
    DatasetOptions options;
    options.benchmark = Benchmark::MedXpertQaMm;
    options.data_file = medxpertqa_records_file();
    options.image_root = medxpertqa_stand_in_images();
    options.limit = limit;
    return load_dataset(options);
}

}  // namespace medvlm::testing
