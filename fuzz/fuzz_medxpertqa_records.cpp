// Fuzz target: parse_medxpertqa_mm() on arbitrary bytes (see loader_fuzzing.hpp).

#include "loader_fuzzing.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    medvlm::fuzzing::fuzz_loader(medvlm::parse_medxpertqa_mm, data, size);
    return 0;
}
