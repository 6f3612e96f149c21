// Fuzz target: normalize_answer() and answer_tokens() on arbitrary text.
//
// The first byte selects the options (English articles, number words); the
// rest is the answer. Checked properties: the result has no leading,
// trailing or doubled space and no other whitespace, normalizing it again
// changes nothing, and its tokens rebuild it.

#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "fuzz_check.hpp"
#include "scoring/normalize.hpp"

using medvlm::fuzzing::check;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    if (size == 0) {
        return 0;
    }
    medvlm::NormalizeOptions options;
    options.english = (data[0] & 1) != 0;
    options.number_words = (data[0] & 2) != 0;
    const std::string_view text(reinterpret_cast<const char*>(data) + 1, size - 1);

    const std::string normalized = medvlm::normalize_answer(text, options);
    if (!normalized.empty()) {
        check(normalized.front() != ' ');
        check(normalized.back() != ' ');
    }
    check(normalized.find("  ") == std::string::npos);
    check(normalized.find_first_of("\t\n\v\f\r") == std::string::npos);
    check(medvlm::normalize_answer(normalized, options) == normalized);

    std::string joined;
    std::string without_spaces;
    for (const auto& token : medvlm::answer_tokens(normalized)) {
        check(!token.empty());
        joined += token;
    }
    for (const char c : normalized) {
        if (c != ' ') {
            without_spaces += c;
        }
    }
    check(joined == without_spaces);
    return 0;
}
