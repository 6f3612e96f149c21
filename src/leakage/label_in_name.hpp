#pragma once
// The label-reveal check: an answer that can be read from an image file
// name or a caption, so a pipeline that shows either to the model (or
// sorts, splits or filters by it) hands over the label.

#include <string>
#include <string_view>
#include <vector>

#include "sources/source.hpp"

namespace medvlm {

struct LabelReveal {
    std::string where;    // "image_name" or "caption"
    std::string text;     // the image name, or an excerpt of the caption
    std::string answer;   // the answer text that was found
};

// Lowercase words of a name or caption: normalize_answer() without article
// removal, then split at letter-digit boundaries and at camelCase humps, so
// "LeftLung_T2.png" reads "left lung t 2 png".
[[nodiscard]] std::vector<std::string> reveal_tokens(std::string_view text);

// Finds the record's answer (the text of the correct option for multiple
// choice) as a whole-word sequence in one of its image names, without the
// extension, or in its "caption" field.
[[nodiscard]] std::vector<LabelReveal> find_label_reveals(const SourceRecord& record);

}  // namespace medvlm
