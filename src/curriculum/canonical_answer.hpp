#pragma once
// The answer text a training sample teaches. It keeps the answer readable
// ("x-ray", "left lung, right lung") and is lowercase, so that
// normalize_answer(canonical) == normalize_answer(original) for every
// answer: a model that learns the canonical form is scored exactly as one
// that produced the original.

#include <string>
#include <string_view>

namespace medvlm {

// NFKC, Unicode lowercase (root locale), trimmed, runs of spaces
// collapsed, and a trailing full stop removed. English yes/no answers in any case or
// punctuation ("Yes.", "NO") become "yes" / "no".
[[nodiscard]] std::string canonical_answer(std::string_view text);

}  // namespace medvlm
