#include "core/text.hpp"

#include <algorithm>

namespace medvlm {
namespace {

bool is_ascii_space(char c) {
    return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\v' || c == '\f';
}

}  // namespace

std::string trim(std::string_view text) {
    size_t begin = 0;
    size_t end = text.size();
    while (begin < end && is_ascii_space(text[begin])) {
        ++begin;
    }
    while (end > begin && is_ascii_space(text[end - 1])) {
        --end;
    }
    return std::string(text.substr(begin, end - begin));
}

std::string to_lower_ascii(std::string_view text) {
    std::string lower(text);
    for (char& c : lower) {
        if (c >= 'A' && c <= 'Z') {
            c = static_cast<char>(c - 'A' + 'a');
        }
    }
    return lower;
}

std::string join(const std::vector<std::string>& parts, std::string_view separator) {
    std::string joined;
    for (size_t i = 0; i < parts.size(); ++i) {
        if (i > 0) {
            joined += separator;
        }
        joined += parts[i];
    }
    return joined;
}

std::vector<std::string> split(std::string_view text, char separator) {
    std::vector<std::string> parts;
    size_t start = 0;
    while (true) {
        const size_t pos = text.find(separator, start);
        if (pos == std::string_view::npos) {
            parts.emplace_back(text.substr(start));
            return parts;
        }
        parts.emplace_back(text.substr(start, pos - start));
        start = pos + 1;
    }
}

bool starts_with_ci(std::string_view text, std::string_view prefix) {
    if (text.size() < prefix.size()) {
        return false;
    }
    return to_lower_ascii(text.substr(0, prefix.size())) == to_lower_ascii(prefix);
}

size_t find_invalid_utf8(std::string_view text) {
    const auto* bytes = reinterpret_cast<const unsigned char*>(text.data());
    const size_t n = text.size();
    size_t i = 0;
    while (i < n) {
        const unsigned char lead = bytes[i];
        if (lead < 0x80) {
            ++i;
            continue;
        }
        size_t length = 0;
        unsigned int min_code = 0;
        unsigned int code = 0;
        if ((lead & 0xE0) == 0xC0) {
            length = 2;
            min_code = 0x80;
            code = lead & 0x1F;
        } else if ((lead & 0xF0) == 0xE0) {
            length = 3;
            min_code = 0x800;
            code = lead & 0x0F;
        } else if ((lead & 0xF8) == 0xF0) {
            length = 4;
            min_code = 0x10000;
            code = lead & 0x07;
        } else {
            return i;
        }
        if (i + length > n) {
            return i;
        }
        for (size_t k = 1; k < length; ++k) {
            if ((bytes[i + k] & 0xC0) != 0x80) {
                return i;
            }
            code = (code << 6) | (bytes[i + k] & 0x3F);
        }
        const bool surrogate = code >= 0xD800 && code <= 0xDFFF;
        if (code < min_code || code > 0x10FFFF || surrogate) {
            return i;
        }
        i += length;
    }
    return std::string_view::npos;
}

std::string excerpt(std::string_view text, size_t max_bytes) {
    if (text.size() <= max_bytes) {
        return std::string(text);
    }
    size_t cut = max_bytes;
    while (cut > 0 && (static_cast<unsigned char>(text[cut]) & 0xC0) == 0x80) {
        --cut;
    }
    return std::string(text.substr(0, cut)) + "...";
}

}  // namespace medvlm

namespace medvlm {

std::string sanitize_utf8(std::string_view text, size_t* replaced) {
    std::string clean;
    clean.reserve(text.size());
    size_t count = 0;
    while (!text.empty()) {
        const size_t bad = find_invalid_utf8(text);
        if (bad == std::string_view::npos) {
            clean += text;
            break;
        }
        clean += text.substr(0, bad);
        clean += "\xEF\xBF\xBD";
        ++count;
        text.remove_prefix(bad + 1);
        // Skip continuation bytes that belonged to the broken sequence.
        while (!text.empty() && (static_cast<unsigned char>(text[0]) & 0xC0) == 0x80) {
            text.remove_prefix(1);
        }
    }
    if (replaced != nullptr) {
        *replaced = count;
    }
    return clean;
}

}  // namespace medvlm
