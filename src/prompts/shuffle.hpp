#pragma once
// The image pairing of the shuffled-image mode: a seeded derangement in
// which no row is sent its own images.
//
// Rows are grouped by their image set (the SHA-256 of each image), so a row
// is never paired with another question on the same picture (SLAKE asks
// about ten questions per image). Image sets are deranged among sets with
// the same number of images where there are at least two of them; the
// remaining sets are deranged among themselves.

#include <cstdint>
#include <vector>

#include "data/example.hpp"

namespace medvlm {

// Returns, for each row, the index of the row whose images it is sent.
// Throws InputError when the rows have fewer than two distinct image sets.
[[nodiscard]] std::vector<size_t> shuffled_image_partners(const std::vector<Example>& examples, uint64_t seed);

}  // namespace medvlm
