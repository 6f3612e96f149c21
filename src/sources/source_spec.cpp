#include "sources/source_spec.hpp"

#include <map>
#include <vector>

#include "core/error.hpp"
#include "core/text.hpp"

namespace medvlm {
namespace {

constexpr std::string_view kKeys = "benchmark, data, images, split, lang, name";

// Splits at unescaped commas and resolves the two escapes.
std::vector<std::string> split_items(std::string_view text, std::string_view spec) {
    std::vector<std::string> items(1);
    for (size_t i = 0; i < text.size(); ++i) {
        const char c = text[i];
        if (c == '\\') {
            if (i + 1 >= text.size() || (text[i + 1] != ',' && text[i + 1] != '\\')) {
                throw InputError("SPEC '" + std::string(spec) +
                                 "': a backslash must be followed by ',' or '\\' (write \"\\,\" for a comma "
                                 "inside a value)");
            }
            items.back() += text[++i];
        } else if (c == ',') {
            items.emplace_back();
        } else {
            items.back() += c;
        }
    }
    return items;
}

SourceKind parse_kind(const std::string& value, std::string_view spec) {
    static const std::map<std::string, SourceKind> kinds = {
        {"medxpertqa-mm", SourceKind::MedXpertQaMm}, {"slake", SourceKind::Slake},
        {"vqa-rad", SourceKind::VqaRad},             {"generic", SourceKind::Generic},
        {"instruction", SourceKind::Instruction},
    };
    const auto it = kinds.find(value);
    if (it == kinds.end()) {
        throw InputError("SPEC '" + std::string(spec) + "': unknown benchmark '" + value +
                         "'; expected one of: medxpertqa-mm, slake, vqa-rad, generic, instruction");
    }
    return it->second;
}

}  // namespace

std::string source_kind_name(SourceKind kind) {
    switch (kind) {
        case SourceKind::MedXpertQaMm: return "medxpertqa-mm";
        case SourceKind::Slake: return "slake";
        case SourceKind::VqaRad: return "vqa-rad";
        case SourceKind::Generic: return "generic";
        case SourceKind::Instruction: return "instruction";
    }
    return "unknown";
}

SourceSpec parse_source_spec(std::string_view text) {
    SourceSpec spec;
    spec.text = std::string(text);
    std::map<std::string, std::string> values;
    for (const auto& item : split_items(text, text)) {
        const size_t equals = item.find('=');
        if (trim(item).empty()) {
            throw InputError("SPEC '" + spec.text + "': empty item (two commas in a row or a trailing comma)");
        }
        if (equals == std::string::npos) {
            throw InputError("SPEC '" + spec.text + "': item '" + item + "' is not KEY=VALUE; keys: " +
                             std::string(kKeys));
        }
        const std::string key = trim(item.substr(0, equals));
        const std::string value = item.substr(equals + 1);
        if (key != "benchmark" && key != "data" && key != "images" && key != "split" && key != "lang" &&
            key != "name") {
            throw InputError("SPEC '" + spec.text + "': unknown key '" + key + "'; keys: " + std::string(kKeys));
        }
        if (value.empty()) {
            throw InputError("SPEC '" + spec.text + "': key '" + key + "' has an empty value");
        }
        if (!values.emplace(key, value).second) {
            throw InputError("SPEC '" + spec.text + "': key '" + key + "' is given twice");
        }
    }

    for (const char* key : {"benchmark", "data"}) {
        if (!values.contains(key)) {
            throw InputError("SPEC '" + spec.text + "': missing '" + key +
                             "='; a SPEC looks like benchmark=slake,data=FILE,images=DIR");
        }
    }
    spec.kind = parse_kind(values.at("benchmark"), spec.text);
    spec.data_file = values.at("data");
    if (values.contains("images")) {
        spec.image_root = values.at("images");
    } else if (spec.kind != SourceKind::Instruction) {
        throw InputError("SPEC '" + spec.text + "': missing 'images=DIR' (the folder the records' image names are "
                         "resolved in); only instruction records may go without images");
    }
    if (values.contains("split")) {
        spec.split = values.at("split");
    }
    if (values.contains("lang")) {
        if (spec.kind != SourceKind::Slake) {
            throw InputError("SPEC '" + spec.text + "': 'lang' applies only to benchmark=slake");
        }
        spec.lang = values.at("lang");
        if (spec.lang != "en" && spec.lang != "zh" && spec.lang != "all") {
            throw InputError("SPEC '" + spec.text + "': lang must be en, zh or all, not '" + spec.lang + "'");
        }
    } else if (spec.kind == SourceKind::Slake) {
        spec.lang = "all";
    }
    if (values.contains("name")) {
        spec.name = values.at("name");
    }
    return spec;
}

std::string source_spec_help() {
    return "SPEC: benchmark=NAME,data=FILE,images=DIR[,split=S][,lang=L][,name=LABEL]. "
           "benchmark: medxpertqa-mm, slake, vqa-rad, generic (JSONL of {id, images, question, answer}, "
           "optional options and caption) or instruction (JSONL of {id, question, answer}, optional images). "
           "split: VQA-RAD train, test or all; elsewhere a label (default from the file name). "
           "lang: SLAKE en, zh or all (default all). name: the label in reports. "
           "Write a comma inside a value as \\, and a backslash as \\\\.";
}

}  // namespace medvlm
