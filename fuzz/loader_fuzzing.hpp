#pragma once
// The body shared by the record-loader fuzz targets.
//
// A loader must turn any byte string into examples or an InputError (a
// RecordError is one). Any other exception escapes LLVMFuzzerTestOneInput,
// and libFuzzer reports it as a crash, as it does for sanitizer findings
// and for a broken invariant (std::abort).

#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "core/error.hpp"
#include "data/loaders.hpp"
#include "fuzz_check.hpp"

namespace medvlm::fuzzing {

// Small limits, so the fuzzer reaches the limit checks with short inputs.
inline ParseOptions fuzz_parse_options(bool skip_invalid) {
    ParseOptions options;
    options.skip_invalid = skip_invalid;
    options.lang = "all";
    options.limits.max_record_bytes = 2048;
    options.limits.max_records = 64;
    options.limits.max_images_per_row = 8;
    return options;
}

inline void check_parsed(const ParsedRecords& parsed, const ParseOptions& options) {
    check(parsed.examples.size() + parsed.skipped.size() + parsed.rows_filtered_out <= parsed.records_read);
    check(parsed.records_read <= options.limits.max_records);
    if (!options.skip_invalid) {
        check(parsed.skipped.empty());
    }
    // Duplicate ids are not checked here: the dataset layer rejects them
    // across the parsed examples (data/dataset.cpp).
    for (const auto& example : parsed.examples) {
        check(!example.id.empty());
        check(example.images.size() <= options.limits.max_images_per_row);
    }
}

template <typename Parse>
void fuzz_loader(Parse parse, const uint8_t* data, size_t size) {
    const std::string_view content(reinterpret_cast<const char*>(data), size);
    for (const bool skip_invalid : {false, true}) {
        const ParseOptions options = fuzz_parse_options(skip_invalid);
        try {
            check_parsed(parse("fuzz-input", content, options), options);
        } catch (const InputError&) {
            // The expected outcome for invalid input.
        }
    }
}

}  // namespace medvlm::fuzzing
