#include "prompts/prompt_builder.hpp"

#include <map>

#include "core/error.hpp"
#include "core/sha256.hpp"
#include "core/text.hpp"

namespace medvlm {
namespace {

// Substitutes {name} placeholders in one pass over the template, so text
// inserted for one placeholder is never scanned for another.
std::string render(const std::string& text_template, const std::map<std::string, std::string>& values) {
    std::string out;
    size_t pos = 0;
    while (pos < text_template.size()) {
        bool replaced = false;
        if (text_template[pos] == '{') {
            for (const auto& [name, value] : values) {
                const std::string placeholder = "{" + name + "}";
                if (text_template.compare(pos, placeholder.size(), placeholder) == 0) {
                    out += value;
                    pos += placeholder.size();
                    replaced = true;
                    break;
                }
            }
        }
        if (!replaced) {
            out += text_template[pos++];
        }
    }
    return out;
}

// Drops "{question}" and the blank line after it, for options-only.
std::string without_question(std::string text_template) {
    for (const char* placeholder : {"{question}\n\n", "{question}\n", "{question}"}) {
        const size_t pos = text_template.find(placeholder);
        if (pos != std::string::npos) {
            text_template.erase(pos, std::string(placeholder).size());
            break;
        }
    }
    return text_template;
}

}  // namespace

PromptTexts PromptTexts::defaults() {
    PromptTexts texts;
    texts.multiple_choice =
        "The following is a multiple-choice question from a medical examination.\n"
        "\n"
        "{question}\n"
        "\n"
        "Answer Choices:\n"
        "{choices}\n"
        "\n"
        "Return only one letter: the letter of the single best answer.\n"
        "Final answer:";
    texts.minimal_stem = "Which answer choice is best supported by the image(s)?";
    texts.short_answer =
        "Answer the question about the medical image with a single word or a short phrase. "
        "Answer yes/no questions with yes or no, and modality, organ or anatomy questions with the name alone. "
        "Answer in the language of the question.\n"
        "Question: {question}\n"
        "Answer:";
    texts.choice_logprob_prefix = "Final answer:";
    return texts;
}

nlohmann::json PromptTexts::to_json() const {
    nlohmann::json texts = {
        {"system", system},
        {"multiple_choice", multiple_choice},
        {"minimal_stem", minimal_stem},
        {"short_answer", short_answer},
        {"choice_logprob_prefix", choice_logprob_prefix},
    };
    nlohmann::json hashes = nlohmann::json::object();
    for (const auto& [name, text] : texts.items()) {
        hashes[name] = sha256_hex(text.get<std::string>());
    }
    return {{"texts", texts}, {"sha256", hashes}, {"hash", hash()}};
}

std::string PromptTexts::hash() const {
    // Length-prefixed so that moving text between fields changes the hash.
    std::string joined;
    for (const std::string* text : {&system, &multiple_choice, &minimal_stem, &short_answer, &choice_logprob_prefix}) {
        joined += std::to_string(text->size()) + ":" + *text + ";";
    }
    return sha256_hex(joined);
}

std::string strip_answer_choices(const std::string& question) {
    const size_t pos = question.rfind("Answer Choices:");
    if (pos == std::string::npos) {
        return question;
    }
    return trim(question.substr(0, pos));
}

std::vector<int> rotation_order(size_t option_count, int rotation) {
    std::vector<int> order(option_count);
    for (size_t i = 0; i < option_count; ++i) {
        order[i] = static_cast<int>((i + static_cast<size_t>(rotation)) % option_count);
    }
    return order;
}

BuiltPrompt build_prompt(const Example& example, AblationMode mode, int rotation, const PromptTexts& texts,
                         bool prefill_choice_prefix) {
    BuiltPrompt prompt;
    prompt.system = texts.system;

    if (example.choices.empty()) {
        if (mode == AblationMode::OptionsOnly || mode == AblationMode::ImageOptionsOnly) {
            throw InputError("mode '" + mode_name(mode) + "' needs answer choices, but " + benchmark_name(example.benchmark) +
                             " questions have none; use text-only, image+text or shuffled-image");
        }
        prompt.user_text = render(texts.short_answer, {{"question", example.question}});
        return prompt;
    }

    const auto order = rotation_order(example.choices.size(), rotation);
    std::string choices;
    for (size_t i = 0; i < order.size(); ++i) {
        const std::string letter(1, static_cast<char>('A' + i));
        prompt.letters.push_back(letter);
        prompt.shown_to_original.push_back(order[i]);
        if (i > 0) {
            choices += "\n";
        }
        choices += "(" + letter + ") " + example.choices[static_cast<size_t>(order[i])].text;
    }

    std::string stem;
    if (mode_sends_question(mode)) {
        stem = strip_answer_choices(example.question);
    } else if (mode == AblationMode::ImageOptionsOnly) {
        stem = texts.minimal_stem;
    }

    const std::string text_template = stem.empty() ? without_question(texts.multiple_choice) : texts.multiple_choice;
    prompt.user_text = render(text_template, {{"question", stem}, {"choices", choices}});
    if (prefill_choice_prefix) {
        prompt.assistant_prefix = texts.choice_logprob_prefix;
    }
    return prompt;
}

}  // namespace medvlm
