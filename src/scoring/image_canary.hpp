#pragma once
// The "image not received" canary: a reply saying the model cannot see,
// or was not given, an image. In an image mode such a reply means the image
// may never have reached the model (a broken chat template, a text-only
// model, a dropped attachment), whatever the image telemetry counted.

#include <string>
#include <string_view>

namespace medvlm {

struct ImageCanaryMatch {
    bool matched = false;
    std::string phrase;  // the matching part of the reply, for the run's listing
};

// Matches English statements such as "I cannot see the image", "No image
// was provided", "I was not given an image", "I'm a text-based model".
// A description of what an image shows ("no fracture is visible in the
// image") is not a match.
[[nodiscard]] ImageCanaryMatch detect_image_not_received(std::string_view reply);

}  // namespace medvlm
