#include "scoring/choice_extractor.hpp"

#include <algorithm>
#include <regex>
#include <set>

#include "core/text.hpp"

namespace medvlm {
namespace {

// Markdown emphasis and code marks carry no meaning for the answer.
std::string strip_markup(std::string_view reply) {
    std::string text;
    text.reserve(reply.size());
    for (char c : reply) {
        if (c != '*' && c != '`') {
            text.push_back(c);
        }
    }
    return text;
}

std::string collapse_spaces(std::string_view text) {
    std::string out;
    bool space = false;
    for (char c : text) {
        const bool is_space = c == ' ' || c == '\t' || c == '\n' || c == '\r';
        if (is_space) {
            space = !out.empty();
            continue;
        }
        if (space) {
            out.push_back(' ');
            space = false;
        }
        out.push_back(c);
    }
    return out;
}

std::string normalize_option_text(std::string_view text) {
    std::string lower = to_lower_ascii(collapse_spaces(text));
    while (!lower.empty() && (lower.back() == '.' || lower.back() == ' ')) {
        lower.pop_back();
    }
    return lower;
}

int letter_index(char letter, const std::vector<std::string>& letters) {
    const char upper = static_cast<char>(letter >= 'a' && letter <= 'z' ? letter - 'a' + 'A' : letter);
    for (size_t i = 0; i < letters.size(); ++i) {
        if (letters[i].size() == 1 && letters[i][0] == upper) {
            return static_cast<int>(i);
        }
    }
    return -1;
}

// Decides whether the text after a candidate letter shows it is used as a
// letter: nothing, punctuation, or the option's own text. A lowercase word
// or a number ("A 45-year-old", "A pneumothorax") means an article.
bool letter_stands_alone(std::string_view after, int index, const std::vector<std::string>& option_texts) {
    size_t pos = 0;
    bool line_break = false;
    while (pos < after.size() && std::string_view(" \t\r\n").find(after[pos]) != std::string_view::npos) {
        line_break = line_break || after[pos] == '\n' || after[pos] == '\r';
        ++pos;
    }
    // A line break ends the statement: "Final answer: B\nReasoning: ...".
    if (pos == after.size() || line_break) {
        return true;
    }
    const char next = after[pos];
    if (pos == 0) {
        // Directly followed by punctuation: "C.", "C)", "C:", "[C: ...]".
        return std::string_view(".):],;!?\"'}-/").find(next) != std::string_view::npos;
    }
    if (std::string_view("(-:").find(next) != std::string_view::npos) {
        return true;
    }
    if (index >= 0 && static_cast<size_t>(index) < option_texts.size()) {
        const std::string option = normalize_option_text(option_texts[static_cast<size_t>(index)]);
        const std::string rest = normalize_option_text(after.substr(pos));
        return !option.empty() && rest.compare(0, option.size(), option) == 0;
    }
    return false;
}

}  // namespace

ExtractedChoice extract_choice(std::string_view reply, const std::vector<std::string>& letters,
                               const std::vector<std::string>& option_texts) {
    const std::string text = strip_markup(reply);
    ExtractedChoice result;

    // 1. Explicit statements: "Final answer: C", "The correct answer is E",
    //    "Answer: (B)", "correct option is D".
    static const std::regex statement(
        R"(\b(?:final\s+answer|correct\s+answer|best\s+answer|right\s+answer|answer|correct\s+(?:option|choice)|best\s+(?:option|choice))\s*(?:is|was|:|=|would\s+be|should\s+be|will\s+be)?\s*(?:option|choice|letter)?\s*[:\-]?\s*([\(\[\{]?)\s*([A-Za-z])(?![A-Za-z0-9]))",
        std::regex::ECMAScript | std::regex::icase);
    std::set<char> stated;
    bool stated_out_of_range = false;
    for (auto it = std::sregex_iterator(text.begin(), text.end(), statement); it != std::sregex_iterator(); ++it) {
        const auto& match = *it;
        const bool enclosed = match[1].length() > 0;
        const char letter = match.str(2)[0];
        const bool lowercase = letter >= 'a' && letter <= 'z';
        if (lowercase && !enclosed) {
            continue;
        }
        const size_t end = static_cast<size_t>(match.position(2) + 1);
        const int index = letter_index(letter, letters);
        if (!enclosed && !letter_stands_alone(std::string_view(text).substr(end), index, option_texts)) {
            continue;
        }
        if (index < 0) {
            stated_out_of_range = true;
            continue;
        }
        stated.insert(letters[static_cast<size_t>(index)][0]);
    }
    if (stated.size() > 1) {
        result.ambiguous = true;
        result.rule = "ambiguous";
        return result;
    }
    if (stated.size() == 1) {
        result.letter = std::string(1, *stated.begin());
        result.rule = "statement";
        return result;
    }

    // 2. A reply that starts with the letter: "C", "(C)", "C.", "C) Radial
    //    head replacement", "[C: ...]", or a lone lowercase "c".
    const std::string collapsed = collapse_spaces(text);
    static const std::regex leading(R"(^\s*([\(\[\{"']?)\s*([A-Za-z])(?![A-Za-z0-9]))");
    std::smatch match;
    if (std::regex_search(collapsed, match, leading)) {
        const bool enclosed = match[1].length() > 0;
        const char letter = match.str(2)[0];
        const bool lowercase = letter >= 'a' && letter <= 'z';
        const size_t end = static_cast<size_t>(match.position(2) + 1);
        const std::string_view after = std::string_view(collapsed).substr(end);
        const std::string rest = trim(std::string(after));
        const bool alone = rest.empty() || rest == "." || rest == ")" || rest == "]";
        const int index = letter_index(letter, letters);
        const bool letter_case_ok = !lowercase || enclosed || alone;
        // "A or C", "(B), (D)": two letters offered as the answer.
        static const std::regex second_letter(R"(^[\)\]\}"'.]?\s*(?:,|and|or|/|&)\s*[\(\[]?\s*[A-Z](?![A-Za-z0-9]))");
        if (letter_case_ok && std::regex_search(std::string(after), second_letter)) {
            result.ambiguous = true;
            result.rule = "ambiguous";
            return result;
        }
        const bool usable = letter_case_ok && (enclosed || letter_stands_alone(after, index, option_texts));
        if (usable) {
            if (index < 0) {
                result.out_of_range = true;
                result.rule = "out_of_range";
                return result;
            }
            result.letter = letters[static_cast<size_t>(index)];
            result.rule = "leading_letter";
            return result;
        }
    }

    // 3. A reply that is exactly one option's text.
    const std::string normalized_reply = normalize_option_text(text);
    int matched = -1;
    for (size_t i = 0; i < option_texts.size() && i < letters.size(); ++i) {
        if (!normalized_reply.empty() && normalize_option_text(option_texts[i]) == normalized_reply) {
            matched = matched == -1 ? static_cast<int>(i) : -2;
        }
    }
    if (matched >= 0) {
        result.letter = letters[static_cast<size_t>(matched)];
        result.rule = "option_text";
        return result;
    }

    result.out_of_range = stated_out_of_range;
    result.rule = stated_out_of_range ? "out_of_range" : "none";
    return result;
}

}  // namespace medvlm
