#include "scoring/short_answer_question.hpp"

#include "core/error.hpp"
#include "scoring/short_answer.hpp"

namespace medvlm {

std::string question_language(const Example& example) {
    const auto lang = example.fields.find("q_lang");
    return lang == example.fields.end() ? "en" : lang->second;
}

NormalizeOptions normalize_options_for(const Example& example, const NormalizeOptions& base) {
    NormalizeOptions options = base;
    options.english = question_language(example) == "en";
    return options;
}

std::optional<bool> closed_from_answer_type(const Example& example) {
    const auto type = example.fields.find("answer_type");
    if (type == example.fields.end()) {
        return std::nullopt;
    }
    if (type->second == "CLOSED") {
        return true;
    }
    if (type->second == "OPEN") {
        return false;
    }
    throw InputError(example.source + ": answer_type must be CLOSED or OPEN, found \"" +
                     type->second + "\"; fix the record or drop the field to derive it from the gold answer");
}

bool gold_is_yes_no(const Example& example) {
    // Number words never change a yes/no word, so the base options suffice.
    return is_polar_answer(normalize_answer(example.answer, normalize_options_for(example, NormalizeOptions{})));
}

}  // namespace medvlm
