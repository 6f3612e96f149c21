#include "leakage/label_in_name.hpp"

#include <algorithm>
#include <filesystem>

#include "core/text.hpp"
#include "scoring/normalize.hpp"

namespace medvlm {
namespace {

bool is_ascii_digit(char c) { return c >= '0' && c <= '9'; }
bool is_ascii_lower(char c) { return c >= 'a' && c <= 'z'; }
bool is_ascii_upper(char c) { return c >= 'A' && c <= 'Z'; }
bool is_ascii_letter(char c) { return is_ascii_lower(c) || is_ascii_upper(c); }

// Inserts a space between a letter and a digit and before an upper-case
// letter that follows a lower-case one.
std::string split_humps(std::string_view text) {
    std::string out;
    for (size_t i = 0; i < text.size(); ++i) {
        if (i > 0) {
            const char before = text[i - 1];
            const char c = text[i];
            const bool letter_digit = (is_ascii_letter(before) && is_ascii_digit(c)) ||
                                      (is_ascii_digit(before) && is_ascii_letter(c));
            const bool camel = is_ascii_lower(before) && is_ascii_upper(c);
            if (letter_digit || camel) {
                out += ' ';
            }
        }
        out += text[i];
    }
    return out;
}

bool contains_sequence(const std::vector<std::string>& haystack, const std::vector<std::string>& needle) {
    if (needle.empty() || needle.size() > haystack.size()) {
        return false;
    }
    return std::search(haystack.begin(), haystack.end(), needle.begin(), needle.end()) != haystack.end();
}

}  // namespace

std::vector<std::string> reveal_tokens(std::string_view text) {
    return answer_tokens(normalize_answer(split_humps(text), NormalizeOptions{false, false}));
}

std::vector<LabelReveal> find_label_reveals(const SourceRecord& record) {
    std::vector<LabelReveal> reveals;
    const std::string answer = trim(record.answer_text());
    const std::vector<std::string> answer_words = reveal_tokens(answer);
    if (answer_words.empty()) {
        return reveals;
    }
    for (const auto& image : record.images) {
        const std::filesystem::path name(image.name);
        const std::string without_extension = (name.parent_path() / name.stem()).generic_string();
        if (contains_sequence(reveal_tokens(without_extension), answer_words)) {
            reveals.push_back({"image_name", image.name, answer});
        }
    }
    const auto caption = record.fields.find("caption");
    if (caption != record.fields.end() && contains_sequence(reveal_tokens(caption->second), answer_words)) {
        reveals.push_back({"caption", excerpt(caption->second, 120), answer});
    }
    return reveals;
}

}  // namespace medvlm
