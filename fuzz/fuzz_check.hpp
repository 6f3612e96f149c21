#pragma once
// The invariant check of every fuzz target: a broken invariant aborts, and
// libFuzzer reports the abort as a crash with the input that caused it.

#include <cstdlib>

namespace medvlm::fuzzing {

inline void check(bool condition) {
    if (!condition) {
        std::abort();
    }
}

}  // namespace medvlm::fuzzing
