// Fuzz target: extract_choice() on an arbitrary reply.
//
// Input layout: the reply, then optionally up to five option texts, each
// after a 0x00 byte. The letters are always A..E; without option texts the
// extractor sees none, as for a prompt that shows letters only.

#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "fuzz_check.hpp"
#include "scoring/choice_extractor.hpp"

using medvlm::fuzzing::check;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    const std::string_view input(reinterpret_cast<const char*>(data), size);
    const std::vector<std::string> letters = {"A", "B", "C", "D", "E"};

    std::vector<std::string> parts;
    size_t start = 0;
    while (parts.size() < letters.size() + 1) {
        const size_t end = input.find('\0', start);
        parts.emplace_back(input.substr(start, end == std::string_view::npos ? std::string_view::npos : end - start));
        if (end == std::string_view::npos) {
            break;
        }
        start = end + 1;
    }
    const std::string reply = parts.front();
    std::vector<std::string> option_texts(parts.begin() + 1, parts.end());
    if (!option_texts.empty()) {
        option_texts.resize(letters.size());  // texts and letters must pair up
    }

    const medvlm::ExtractedChoice choice = medvlm::extract_choice(reply, letters, option_texts);
    if (!choice.unknown()) {
        check(std::find(letters.begin(), letters.end(), choice.letter) != letters.end());
        check(!choice.ambiguous);
        check(!choice.out_of_range);
    }
    check(!choice.rule.empty());
    return 0;
}
