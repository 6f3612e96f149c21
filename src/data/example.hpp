#pragma once
// One benchmark question as every later stage sees it, whatever file layout
// it came from.

#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "data/benchmark.hpp"

namespace medvlm {

// An image named by a record. `path` is resolved inside the image root;
// the remaining fields are filled once the image has been decoded.
struct ImageRef {
    std::string name;
    std::filesystem::path path;
    std::string sha256;
    int width = 0;
    int height = 0;
    bool loaded = false;
};

struct Choice {
    std::string letter;
    std::string text;
};

struct Example {
    std::string id;
    Benchmark benchmark = Benchmark::Slake;
    std::string question;
    // Multiple choice only, in the order of the record (A, B, C, ...).
    std::vector<Choice> choices;
    // The gold answer: an option letter for multiple choice, text otherwise.
    std::string answer;
    std::vector<ImageRef> images;
    // Record metadata used for slices (q_lang, answer_type, modality,
    // medical_task, ...). A field the record lacks is absent, never "".
    std::map<std::string, std::string> fields;
    // "FILE: line N" or "FILE: record #N", for error messages.
    std::string source;
};

}  // namespace medvlm
