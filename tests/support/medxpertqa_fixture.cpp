#include "support/medxpertqa_fixture.hpp"

#include <fstream>

#include <nlohmann/json.hpp>

#include "support/test_support.hpp"

namespace medvlm::testing {

MedXpertQaFixture medxpertqa_with_stand_in_images(size_t rows) {
    const auto data = shared_data_dir();
    const auto dir = make_temp_dir("medxpertqa-fixture");
    MedXpertQaFixture fixture{dir / "MM_test.jsonl", dir / "images"};
    std::filesystem::create_directories(fixture.image_root);

    std::ifstream in(data / "medxpertqa_mm/MM_test.sample.jsonl");
    std::ofstream out(fixture.data_file);
    std::string line;
    size_t copied_images = 0;
    for (size_t row = 0; row < rows && std::getline(in, line); ++row) {
        out << line << '\n';
        const nlohmann::json record = nlohmann::json::parse(line);
        for (const auto& name : record.at("images")) {
            const auto source = data / "slake/images" / ("xmlab" + std::to_string(copied_images % 10)) / "source.jpg";
            std::filesystem::copy_file(source, fixture.image_root / name.get<std::string>(),
                                       std::filesystem::copy_options::overwrite_existing);
            ++copied_images;
        }
    }
    if (!out) {
        throw std::runtime_error("cannot write " + fixture.data_file.string());
    }
    return fixture;
}

}  // namespace medvlm::testing
