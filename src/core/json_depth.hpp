#pragma once
// A structural pre-check of JSON text, run before a JSON library parses it.
//
// nlohmann::json parses iteratively, but copying, comparing and dump()ing a
// value recurse once per nesting level, so a hostile document such as
// 100,000 '[' characters would overflow the stack in an error message.
// Every JSON text medvlm reads from a user or a server is checked here
// first; no benchmark record or chat-completions response nests deeper than
// about five levels.

#include <cstddef>
#include <string>
#include <string_view>

namespace medvlm {

// The deepest nesting of arrays and objects medvlm accepts in one record or
// one server response. Fixed: there is no legitimate input near it.
inline constexpr size_t kMaxJsonDepth = 64;

// Returns the deepest nesting of arrays and objects in `text`, counting only
// brackets outside strings. Linear time, no allocation, and no validation:
// malformed text gets a number too, and the parser reports the syntax error.
[[nodiscard]] size_t json_nesting_depth(std::string_view text);

// "nests arrays and objects 70 levels deep, above the limit of 64".
[[nodiscard]] std::string json_too_deep_message(size_t depth);

}  // namespace medvlm
