#pragma once
// medvlm's generic record format, one JSON object per line (JSONL):
//
//   {"id": "r1", "images": ["a/b.png"], "question": "Is there a mass?", "answer": "yes"}
//
//   id        string or integer, unique in the file
//   images    list of image names relative to the image root; at least one
//             for generic records, possibly empty or absent for instruction
//             records
//   question  the user text
//   answer    the reply; for multiple choice, the letter of the correct option
//   options   optional: {"A": text, "B": text, ...} or a list of texts
//             lettered A, B, ...; present means multiple choice
//   caption   optional text shown with the image, checked for answer words
//   fields    optional object of string metadata kept with the record

#include <string>
#include <string_view>

#include "data/loaders.hpp"
#include "sources/source.hpp"

namespace medvlm {

struct GenericRecords {
    std::vector<SourceRecord> records;
    size_t records_read = 0;
    RepairCounts repairs;
    std::vector<SkippedRow> skipped;
};

// `images_required`: false for instruction records, which may be text only.
[[nodiscard]] GenericRecords parse_generic_records(const std::string& file_label, std::string_view content,
                                                   bool images_required, bool skip_invalid);

}  // namespace medvlm
