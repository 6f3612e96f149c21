#pragma once
// A SPEC names one set of records for the leakage and curriculum commands:
//
//   benchmark=slake,data=slake/train.json,images=slake/images[,split=train][,lang=all][,name=LABEL]
//
// Items are separated by commas and each is KEY=VALUE; a comma or a
// backslash inside a value is written "\," or "\\". Keys:
//   benchmark  medxpertqa-mm, slake, vqa-rad, generic or instruction
//   data       the records file as published (generic and instruction: JSONL)
//   images     the image root; every image name is resolved inside it
//              (optional for instruction records without images)
//   split      VQA-RAD: train, test or all (selects records by phrase_type);
//              other benchmarks: a label, by default taken from the file name
//   lang       SLAKE only: en, zh or all (default all, so that reuse across
//              the two languages is found)
//   name       the label used in reports (default BENCHMARK:SPLIT[:LANG])

#include <filesystem>
#include <string>
#include <string_view>

namespace medvlm {

enum class SourceKind { MedXpertQaMm, Slake, VqaRad, Generic, Instruction };

// "medxpertqa-mm", "slake", "vqa-rad", "generic", "instruction".
[[nodiscard]] std::string source_kind_name(SourceKind kind);

struct SourceSpec {
    SourceKind kind = SourceKind::Generic;
    std::filesystem::path data_file;
    std::filesystem::path image_root;  // empty when not given
    std::string split;                 // empty: the default of the kind
    std::string lang;                  // SLAKE only; empty elsewhere
    std::string name;                  // empty: derived from the loaded split and language
    std::string text;                  // the SPEC as written, for messages
};

// Throws InputError naming the SPEC, the item and the accepted keys or values.
[[nodiscard]] SourceSpec parse_source_spec(std::string_view text);

// The SPEC syntax as printed in --help.
[[nodiscard]] std::string source_spec_help();

}  // namespace medvlm
