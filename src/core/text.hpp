#pragma once
// Small string helpers used across medvlm. Unicode-aware normalization for
// scoring lives in scoring/normalize.hpp; these helpers are byte-level.

#include <string>
#include <string_view>
#include <vector>

namespace medvlm {

// ASCII whitespace (space, tab, CR, LF, VT, FF) is trimmed; other bytes stay.
[[nodiscard]] std::string trim(std::string_view text);
[[nodiscard]] std::string to_lower_ascii(std::string_view text);
[[nodiscard]] std::string join(const std::vector<std::string>& parts, std::string_view separator);
[[nodiscard]] std::vector<std::string> split(std::string_view text, char separator);
[[nodiscard]] bool starts_with_ci(std::string_view text, std::string_view prefix);

// Returns the byte offset of the first invalid UTF-8 sequence, or npos when
// the whole text is valid (overlong forms and surrogates are invalid).
[[nodiscard]] size_t find_invalid_utf8(std::string_view text);

// Shortens text to at most max_bytes on a UTF-8 boundary and marks the cut
// with "...", for error messages that quote user data.
[[nodiscard]] std::string excerpt(std::string_view text, size_t max_bytes = 80);

}  // namespace medvlm

namespace medvlm {

// Replaces each invalid UTF-8 sequence with U+FFFD, so model output can be
// stored as JSON. Returns the number of replacements through `replaced`.
[[nodiscard]] std::string sanitize_utf8(std::string_view text, size_t* replaced = nullptr);

}  // namespace medvlm
