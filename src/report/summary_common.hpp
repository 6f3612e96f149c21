#pragma once
// Helpers shared by the summary builders.

#include <cstdint>

namespace medvlm {

// part / whole, or 0 when whole is 0.
[[nodiscard]] double share(int64_t part, int64_t whole);

}  // namespace medvlm
