#pragma once
// Reads the chosen option letter out of a model's free-text reply.
//
// The extractor is conservative: a reply that states no letter, states a
// letter outside the options, or names two different final letters is
// UNKNOWN and never mapped to a real option. Articles ("A 45-year-old ...")
// and words ("Because ...") are not letters.

#include <string>
#include <string_view>
#include <vector>

namespace medvlm {

// Bumped whenever a rule changes, because results from different versions
// are not comparable; recorded in every manifest.
inline constexpr const char* kChoiceExtractorVersion = "choice-extractor/2";

struct ExtractedChoice {
    std::string letter;      // empty: UNKNOWN
    bool ambiguous = false;  // two different letters were stated
    bool out_of_range = false;  // a letter was stated that is not an option
    // The rule that decided: "statement", "leading_letter", "option_text",
    // "ambiguous", "out_of_range" or "none".
    std::string rule;

    [[nodiscard]] bool unknown() const { return letter.empty(); }
};

// `letters` are the option letters shown (A..E); `option_texts` the texts
// shown beside them, in the same order (may be empty).
[[nodiscard]] ExtractedChoice extract_choice(std::string_view reply, const std::vector<std::string>& letters,
                                             const std::vector<std::string>& option_texts);

}  // namespace medvlm
