#include "core/json_depth.hpp"

#include <algorithm>

namespace medvlm {

size_t json_nesting_depth(std::string_view text) {
    size_t depth = 0;
    size_t deepest = 0;
    bool in_string = false;
    bool escaped = false;
    for (const char c : text) {
        if (in_string) {
            if (escaped) {
                escaped = false;
            } else if (c == '\\') {
                escaped = true;
            } else if (c == '"') {
                in_string = false;
            }
            continue;
        }
        if (c == '"') {
            in_string = true;
        } else if (c == '[' || c == '{') {
            deepest = std::max(deepest, ++depth);
        } else if ((c == ']' || c == '}') && depth > 0) {
            --depth;
        }
    }
    return deepest;
}

std::string json_too_deep_message(size_t depth) {
    return "nests arrays and objects " + std::to_string(depth) + " levels deep, above the limit of " +
           std::to_string(kMaxJsonDepth);
}

}  // namespace medvlm
