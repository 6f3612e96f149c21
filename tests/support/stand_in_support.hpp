#pragma once
// Real MedXpertQA-MM records with stand-in images. The real images are not
// available to the tests, so tests that send MedXpertQA-MM images send
// generated placeholders under the names the records give. Those tests
// check the pipeline, never what a model does with the real images.

#include <filesystem>

#include "data/dataset.hpp"

namespace medvlm::testing {

// The MedXpertQA-MM sample records file in the shared data folder.
[[nodiscard]] std::filesystem::path medxpertqa_records_file();

// A folder of stand-in images for every record of the sample, written once
// per process by write_stand_in_images().
[[nodiscard]] const std::filesystem::path& medxpertqa_stand_in_images();

// The first `limit` sample records (0: all) loaded with their stand-in images.
[[nodiscard]] Dataset load_medxpertqa_with_stand_ins(size_t limit);

}  // namespace medvlm::testing
