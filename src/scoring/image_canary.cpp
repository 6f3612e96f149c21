#include "scoring/image_canary.hpp"

#include <regex>

namespace medvlm {
namespace {

// Curly apostrophes (U+2019) become ASCII so "can’t" matches "can't", and
// Markdown emphasis marks are dropped.
std::string plain_text(std::string_view reply) {
    std::string text;
    text.reserve(reply.size());
    for (size_t i = 0; i < reply.size(); ++i) {
        if (reply.compare(i, 3, "\xE2\x80\x99") == 0) {
            text.push_back('\'');
            i += 2;
            continue;
        }
        if (reply[i] == '*' || reply[i] == '_' || reply[i] == '`') {
            continue;
        }
        text.push_back(reply[i] == '\n' || reply[i] == '\t' ? ' ' : reply[i]);
    }
    return text;
}

const std::regex& canary_pattern() {
    // Each alternative needs a negated verb or a "no image" subject, so a
    // reply describing an image it did receive does not match.
    static const std::regex pattern(
        // "I cannot see the image", "unable to view the attached images"
        R"(\b(?:cannot|can\s?not|can't|could\s+not|couldn't|unable\s+to|not\s+able\s+to|do\s+not|don't|did\s+not|didn't))"
        R"(\s+(?:(?:actually|currently|directly)\s+)?(?:see|view|access|open|analy[sz]e|examine|look\s+at|display|process|interpret|read|receive|have\s+access\s+to|have))"
        R"(\s+(?:the|any|an|this|these|those|your|that)?\s*(?:attached\s+|provided\s+|uploaded\s+|referenced\s+|accompanying\s+)?)"
        R"((?:images?|pictures?|photos?|photographs?|figures?|scans?|radiographs?)\b)"
        // "no image was provided", "no images were attached"
        R"(|\bno\s+(?:images?|pictures?|figures?|photos?)\s+(?:(?:was|were|is|are|has\s+been|have\s+been)\s+)?)"
        R"((?:provided|attached|uploaded|shared|given|included|available|shown|sent|received)\b)"
        // "I was not given an image", "I haven't been provided any images"
        R"(|\b(?:was|were|have|has|am|is|are)(?:\s+not|n't)\s+(?:been\s+)?(?:given|provided|shown|sent|able\s+to\s+see))"
        R"(\s+(?:with\s+)?(?:an|any|the)\s+(?:images?|pictures?|figures?)\b)"
        // "there is no image", "there are no images attached"
        R"(|\bthere\s+(?:is|are|was|were)\s+no\s+(?:images?|pictures?|figures?)\b)"
        // "the image is not visible", "images were not provided"
        R"(|\b(?:images?|pictures?|figures?)\s+(?:is|are|was|were)(?:\s+not|n't)\s+)"
        R"((?:provided|attached|included|shown|available|visible\s+to\s+me|accessible|displayed|received)\b)"
        // "as a text-based model", "I am a text-only assistant"
        R"(|\btext[-\s](?:based|only)\s+(?:ai|model|assistant|language\s+model)\b)"
        // "without access to the image", "without seeing the images"
        R"(|\bwithout\s+(?:access\s+to|seeing|viewing)\s+(?:the|an|any)\s+(?:images?|pictures?|figures?)\b)",
        std::regex::ECMAScript | std::regex::icase);
    return pattern;
}

}  // namespace

ImageCanaryMatch detect_image_not_received(std::string_view reply) {
    const std::string text = plain_text(reply);
    ImageCanaryMatch result;
    std::smatch match;
    if (std::regex_search(text, match, canary_pattern())) {
        result.matched = true;
        result.phrase = match.str(0);
    }
    return result;
}

}  // namespace medvlm
