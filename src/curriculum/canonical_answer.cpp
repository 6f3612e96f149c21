#include "curriculum/canonical_answer.hpp"

#include "core/text.hpp"
#include "scoring/normalize.hpp"

namespace medvlm {
namespace {

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
