#pragma once
// Builds the text of each call from an example, an ablation mode and an
// option rotation. The prompt never depends on the gold answer.

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "data/example.hpp"
#include "prompts/mode.hpp"

namespace medvlm {

// The prompt texts of a run; all of them go into the manifest with hashes.
struct PromptTexts {
    std::string system;
    // Placeholders: {question} (the stem without its answer-choice list) and
    // {choices} (one "(A) text" line per option).
    std::string multiple_choice;
    // Used by options-only (empty) and image+options-only in place of the stem.
    std::string minimal_stem;
    // Placeholder: {question}. One text for every question, so the prompt
    // cannot leak whether the gold answer is yes/no.
    std::string short_answer;
    // Assistant text prefilled before the option letters are scored
    // (--scoring choice-logprob).
    std::string choice_logprob_prefix;

    [[nodiscard]] static PromptTexts defaults();
    [[nodiscard]] nlohmann::json to_json() const;  // texts and their SHA-256
    // SHA-256 over all texts, the one value compared across runs.
    [[nodiscard]] std::string hash() const;
};

struct BuiltPrompt {
    std::string system;
    std::string user_text;
    std::string assistant_prefix;
    // For multiple choice: the letters shown, in order, and for each shown
    // position the index of the original option it displays.
    std::vector<std::string> letters;
    std::vector<int> shown_to_original;
};

// The question with a trailing "Answer Choices: (A) ... (E) ..." block
// removed (MedXpertQA-MM repeats its options there); unchanged when absent.
[[nodiscard]] std::string strip_answer_choices(const std::string& question);

// Rotation r shows original option (i + r) mod n at position i, so rotation 1
// of A B C D E reads B C D E A.
[[nodiscard]] std::vector<int> rotation_order(size_t option_count, int rotation);

// Throws InputError when the mode does not apply to the example's task
// (options-only modes need answer choices).
[[nodiscard]] BuiltPrompt build_prompt(const Example& example, AblationMode mode, int rotation,
                                       const PromptTexts& texts, bool prefill_choice_prefix);

}  // namespace medvlm
