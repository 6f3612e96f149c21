#pragma once
// Splits training samples into a training part and a validation part by
// image: every sample showing the same set of images lands on the same side,
// so validation loss is measured on images the adapter never trained on.
// Samples without images are grouped by id. The split depends only on the
// seed and the image hashes (not on file order).

#include <cstdint>
#include <vector>

#include "train/tokenized_sample.hpp"

namespace medvlm {

struct SampleSplit {
    std::vector<size_t> train;       // indices into the samples, in input order
    std::vector<size_t> validation;
};

// `fraction` of the image groups (rounded up, at least one when positive)
// goes to validation. Throws InputError when a positive fraction would leave
// no training sample.
[[nodiscard]] SampleSplit split_by_image(const std::vector<TokenizedSample>& samples, double fraction, uint64_t seed);

}  // namespace medvlm
