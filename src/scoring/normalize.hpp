#pragma once
// Short-answer normalization, the one function every short-answer metric
// uses. The steps, in order:
//   1. Unicode NFKC (full-width letters and digits become ASCII);
//   2. lowercase (Unicode, root locale);
//   3. ASCII punctuation (Python's string.punctuation, as SQuAD's
//      normalize_answer) and any Unicode punctuation, which covers CJK
//      marks such as 。，、？！, become spaces, and so does whitespace of
//      any kind (tab, line breaks, no-break space: Unicode White_Space);
//   4. English only: the articles a, an, the are dropped as whole words;
//   5. optional: number words zero..twenty become digits ("two" -> "2");
//   6. whitespace is collapsed and trimmed.
// Tokens: whitespace-separated words, with each CJK character its own token.

#include <string>
#include <string_view>
#include <vector>

namespace medvlm {

struct NormalizeOptions {
    bool english = true;        // drop English articles
    bool number_words = false;  // --number-words
};

[[nodiscard]] std::string normalize_answer(std::string_view text, const NormalizeOptions& options);

// Steps 1 and 2 alone: NFKC, then Unicode lowercase in the root locale.
// Throws Error when ICU fails.
[[nodiscard]] std::string nfkc_lowercase(std::string_view text);

// Splits normalized text into tokens (see the file comment).
[[nodiscard]] std::vector<std::string> answer_tokens(std::string_view normalized);

// True when the code point is a CJK ideograph (unified, extensions,
// compatibility) or a kana or hangul syllable.
[[nodiscard]] bool is_cjk_code_point(char32_t code_point);

}  // namespace medvlm
