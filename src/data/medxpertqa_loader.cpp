#include <algorithm>

#include "core/text.hpp"
#include "data/jsonl_records.hpp"
#include "data/loaders.hpp"

namespace medvlm {
namespace {

// MedXpertQA-MM has five options in every one of its 2,000 test records.
constexpr size_t kOptionCount = 5;

std::string split_from_file_name(const std::string& file_label) {
    const std::string lower = to_lower_ascii(file_label);
    if (lower.find("test") != std::string::npos) {
        return "test";
    }
    if (lower.find("dev") != std::string::npos) {
        return "dev";
    }
    return "unspecified";
}

std::vector<Choice> read_choices(const RecordReader& reader) {
    const auto& options = reader.required("options");
    std::vector<Choice> choices;
    if (options.is_object()) {
        for (const auto& [letter, text] : options.items()) {
            if (!text.is_string()) {
                reader.fail("option '" + letter + "' must be a string, found " + json_type_name(text));
            }
            choices.push_back({letter, text.get<std::string>()});
        }
    } else if (options.is_array()) {
        for (const auto& option : options) {
            if (!option.is_object() || !option.contains("letter") || !option.contains("content") ||
                !option["letter"].is_string() || !option["content"].is_string()) {
                reader.fail("each entry of the 'options' list must be {\"letter\": string, \"content\": string}");
            }
            choices.push_back({option["letter"].get<std::string>(), option["content"].get<std::string>()});
        }
    } else {
        reader.fail("field 'options' must be an object {A: text, ...} or a list of {letter, content}, found " +
                    json_type_name(options));
    }

    std::vector<std::string> letters;
    for (const auto& choice : choices) {
        letters.push_back(choice.letter);
    }
    bool consecutive = choices.size() == kOptionCount;
    for (size_t i = 0; consecutive && i < choices.size(); ++i) {
        consecutive = choices[i].letter == std::string(1, static_cast<char>('A' + i));
    }
    if (!consecutive) {
        reader.fail("MedXpertQA-MM records have exactly 5 options lettered A-E; this record has " +
                    std::to_string(choices.size()) + " (" + join(letters, ", ") + ")");
    }
    for (const auto& choice : choices) {
        if (trim(choice.text).empty()) {
            reader.fail("option '" + choice.letter + "' is empty");
        }
    }
    return choices;
}

std::string read_label(const RecordReader& reader, const std::vector<Choice>& choices) {
    const auto& label = reader.required("label");
    std::string letter;
    if (label.is_string()) {
        letter = label.get<std::string>();
    } else if (label.is_array() && label.size() == 1 && label[0].is_string()) {
        letter = label[0].get<std::string>();
    } else {
        reader.fail("field 'label' must be a letter string (\"A\") or a one-element list ([\"A\"]), found " +
                    excerpt(label.dump()));
    }
    const bool known = std::any_of(choices.begin(), choices.end(),
                                   [&](const Choice& choice) { return choice.letter == letter; });
    if (!known) {
        reader.fail("label '" + letter + "' is not one of the option letters A-E");
    }
    return letter;
}

std::vector<std::string> read_image_names(const RecordReader& reader, const RecordLimits& limits) {
    const auto& images = reader.required(
        "images", reader.has("image") ? "the record has 'image'; MedXpertQA-MM stores its image list under 'images'"
                                      : "");
    if (!images.is_array()) {
        reader.fail("field 'images' must be a list of file names, found " + json_type_name(images));
    }
    if (images.empty()) {
        reader.fail("field 'images' is an empty list; every MedXpertQA-MM record has 1 to 6 images");
    }
    if (images.size() > limits.max_images_per_row) {
        reader.fail(too_many_images_message(images.size(), limits));
    }
    std::vector<std::string> names;
    for (const auto& image : images) {
        if (image.is_string()) {
            names.push_back(image.get<std::string>());
        } else if (image.is_object() && image.contains("image_path") && image["image_path"].is_string()) {
            names.push_back(image["image_path"].get<std::string>());
        } else {
            reader.fail("field 'images' must hold file names (or {\"image_path\": name}), found " + excerpt(image.dump()));
        }
        if (trim(names.back()).empty()) {
            reader.fail("field 'images' contains an empty file name");
        }
    }
    return names;
}

Example read_record(RecordReader& reader, const RecordLimits& limits, RepairCounts& repairs) {
    Example example;
    example.benchmark = Benchmark::MedXpertQaMm;
    example.id = reader.required_string("id");
    reader.set_id(example.id);
    example.source = reader.location().describe();
    example.question = reader.required_string("question");
    if (trim(example.question).empty()) {
        reader.fail("field 'question' is empty");
    }
    example.choices = read_choices(reader);
    example.answer = read_label(reader, example.choices);
    for (const auto& name : read_image_names(reader, limits)) {
        example.images.push_back(ImageRef{name, {}, {}, 0, 0, false});
    }
    for (const char* field : {"medical_task", "body_system", "question_type"}) {
        if (auto value = reader.optional_string(field)) {
            example.fields[field] = *value;
        } else {
            ++repairs[std::string("missing_") + field];
        }
    }
    return example;
}

}  // namespace

ParsedRecords parse_medxpertqa_mm(const std::string& file_label, std::string_view content,
                                  const ParseOptions& options) {
    ParsedRecords parsed;
    parsed.split = options.split.empty() ? split_from_file_name(file_label) : options.split;

    JsonlRecords lines;
    for_each_jsonl_record(file_label, content, options.skip_invalid, options.limits, lines,
                          [&](const nlohmann::json& record, const RecordLocation& location) {
                              RecordReader reader(record, location);
                              parsed.examples.push_back(read_record(reader, options.limits, lines.repairs));
                          });
    parsed.records_read = lines.records_read;
    parsed.repairs = std::move(lines.repairs);
    parsed.skipped = std::move(lines.skipped);
    return parsed;
}

}  // namespace medvlm
