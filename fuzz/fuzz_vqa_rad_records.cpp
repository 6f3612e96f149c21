// Fuzz target: parse_vqa_rad() on arbitrary bytes (see loader_fuzzing.hpp).

#include "loader_fuzzing.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    medvlm::fuzzing::fuzz_loader(medvlm::parse_vqa_rad, data, size);
    return 0;
}
