#pragma once
// MedXpertQA-MM rows with images, for tests of multiple-choice runs.
//
// The published records ship without their images, so the first `rows`
// records of the real sample file are copied unchanged and every image they
// name is a copy of a real SLAKE image (cycled through xmlab0..xmlab9). The
// questions do not match those pictures; the tests only need real records
// and decodable images.

#include <filesystem>

namespace medvlm::testing {

struct MedXpertQaFixture {
    std::filesystem::path data_file;
    std::filesystem::path image_root;
};

[[nodiscard]] MedXpertQaFixture medxpertqa_with_stand_in_images(size_t rows);

}  // namespace medvlm::testing
