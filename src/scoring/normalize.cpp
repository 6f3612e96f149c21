#include "scoring/normalize.hpp"

#include <unicode/locid.h>
#include <unicode/normalizer2.h>
#include <unicode/uchar.h>
#include <unicode/unistr.h>
#include <unicode/utf8.h>

#include <array>
#include <map>

#include "core/error.hpp"
#include "core/text.hpp"

namespace medvlm {
namespace {

// Python's string.punctuation.
constexpr std::string_view kAsciiPunctuation = "!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~";

const std::map<std::string, std::string>& number_words() {
    static const std::map<std::string, std::string> words = {
        {"zero", "0"},     {"one", "1"},       {"two", "2"},       {"three", "3"},    {"four", "4"},
        {"five", "5"},     {"six", "6"},       {"seven", "7"},     {"eight", "8"},    {"nine", "9"},
        {"ten", "10"},     {"eleven", "11"},   {"twelve", "12"},   {"thirteen", "13"}, {"fourteen", "14"},
        {"fifteen", "15"}, {"sixteen", "16"}, {"seventeen", "17"}, {"eighteen", "18"}, {"nineteen", "19"},
        {"twenty", "20"},
    };
    return words;
}

// Replaces punctuation and whitespace of any kind (Unicode White_Space:
// tab, line breaks, no-break and ideographic spaces, ...) with ' ', code
// point by code point, so only ' ' separates words afterwards.
std::string separators_to_spaces(std::string_view text) {
    std::string out;
    out.reserve(text.size());
    int32_t i = 0;
    const auto length = static_cast<int32_t>(text.size());
    while (i < length) {
        const int32_t start = i;
        UChar32 code_point = 0;
        U8_NEXT(text.data(), i, length, code_point);
        if (code_point < 0) {
            out += ' ';  // invalid byte: never part of an answer
            continue;
        }
        const bool ascii_punct = code_point < 0x80 && kAsciiPunctuation.find(static_cast<char>(code_point)) != std::string_view::npos;
        if (ascii_punct || u_ispunct(code_point) || u_isUWhiteSpace(code_point)) {
            out += ' ';
        } else {
            out.append(text.data() + start, static_cast<size_t>(i - start));
        }
    }
    return out;
}

}  // namespace

std::string nfkc_lowercase(std::string_view text) {
    UErrorCode status = U_ZERO_ERROR;
    const icu::Normalizer2* nfkc = icu::Normalizer2::getNFKCInstance(status);
    if (U_FAILURE(status)) {
        throw Error("ICU failed to load the NFKC normalizer");
    }
    const icu::UnicodeString source = icu::UnicodeString::fromUTF8(
        icu::StringPiece(text.data(), static_cast<int32_t>(text.size())));
    icu::UnicodeString normalized = nfkc->normalize(source, status);
    if (U_FAILURE(status)) {
        throw Error("ICU failed to convert text to NFKC");
    }
    normalized.toLower(icu::Locale::getRoot());
    std::string out;
    normalized.toUTF8String(out);
    return out;
}

bool is_cjk_code_point(char32_t c) {
    return (c >= 0x4E00 && c <= 0x9FFF) || (c >= 0x3400 && c <= 0x4DBF) || (c >= 0x20000 && c <= 0x2A6DF) ||
           (c >= 0xF900 && c <= 0xFAFF) || (c >= 0x3040 && c <= 0x30FF) || (c >= 0xAC00 && c <= 0xD7AF);
}

std::string normalize_answer(std::string_view text, const NormalizeOptions& options) {
    const std::string spaced = separators_to_spaces(nfkc_lowercase(sanitize_utf8(text)));
    std::vector<std::string> words;
    for (const auto& word : split(spaced, ' ')) {
        const std::string clean = trim(word);
        if (clean.empty()) {
            continue;
        }
        if (options.english && (clean == "a" || clean == "an" || clean == "the")) {
            continue;
        }
        if (options.number_words) {
            const auto it = number_words().find(clean);
            if (it != number_words().end()) {
                words.push_back(it->second);
                continue;
            }
        }
        words.push_back(clean);
    }
    return join(words, " ");
}

std::vector<std::string> answer_tokens(std::string_view normalized) {
    std::vector<std::string> tokens;
    std::string current;
    int32_t i = 0;
    const auto length = static_cast<int32_t>(normalized.size());
    const auto flush = [&] {
        if (!current.empty()) {
            tokens.push_back(current);
            current.clear();
        }
    };
    while (i < length) {
        const int32_t start = i;
        UChar32 code_point = 0;
        U8_NEXT(normalized.data(), i, length, code_point);
        const std::string character(normalized.data() + start, static_cast<size_t>(i - start));
        if (code_point == ' ' || code_point == '\t' || code_point == '\n' || code_point < 0) {
            flush();
        } else if (is_cjk_code_point(static_cast<char32_t>(code_point))) {
            flush();
            tokens.push_back(character);
        } else {
            current += character;
        }
    }
    flush();
    return tokens;
}

}  // namespace medvlm
