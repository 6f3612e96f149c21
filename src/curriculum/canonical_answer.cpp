#include "curriculum/canonical_answer.hpp"

#include <unicode/locid.h>
#include <unicode/normalizer2.h>
#include <unicode/unistr.h>

#include "core/error.hpp"
#include "core/text.hpp"
#include "scoring/normalize.hpp"

namespace medvlm {
namespace {

std::string nfkc_lowercase(std::string_view text) {
    UErrorCode status = U_ZERO_ERROR;
    const icu::Normalizer2* nfkc = icu::Normalizer2::getNFKCInstance(status);
    if (U_FAILURE(status)) {
        throw Error("ICU failed to load the NFKC normalizer");
    }
    const icu::UnicodeString source =
        icu::UnicodeString::fromUTF8(icu::StringPiece(text.data(), static_cast<int32_t>(text.size())));
    icu::UnicodeString normalized = nfkc->normalize(source, status);
    if (U_FAILURE(status)) {
        throw Error("ICU failed to normalize an answer");
    }
    normalized.toLower(icu::Locale::getRoot());
    std::string out;
    normalized.toUTF8String(out);
    return out;
}

// Runs of spaces become one space. Other whitespace inside the answer is
// kept, because normalize_answer() separates words at spaces only and a
// changed tab would change the normalized answer.
std::string collapse_spaces(std::string_view text) {
    std::string out;
    bool pending_space = false;
    for (const char c : text) {
        if (c == ' ') {
            pending_space = !out.empty();
            continue;
        }
        if (pending_space) {
            out += ' ';
            pending_space = false;
        }
        out += c;
    }
    return out;
}

}  // namespace

std::string canonical_answer(std::string_view text) {
    const std::string clean = sanitize_utf8(text);
    const std::string normalized = normalize_answer(clean, NormalizeOptions{true, false});
    if (normalized == "yes" || normalized == "no") {
        return normalized;
    }
    std::string canonical = collapse_spaces(trim(nfkc_lowercase(clean)));
    while (!canonical.empty() && canonical.back() == '.') {
        canonical.pop_back();
        canonical = trim(canonical);
    }
    return canonical;
}

}  // namespace medvlm
