#include "sources/generic_records.hpp"

#include <set>

#include "core/text.hpp"
#include "data/record_reader.hpp"

namespace medvlm {
namespace {

std::vector<Choice> read_options(const RecordReader& reader) {
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
        for (size_t i = 0; i < options.size(); ++i) {
            if (!options[i].is_string()) {
                reader.fail("each entry of the 'options' list must be a string, found " +
                            json_type_name(options[i]));
            }
            choices.push_back({std::string(1, static_cast<char>('A' + i)), options[i].get<std::string>()});
        }
    } else {
        reader.fail("field 'options' must be an object {\"A\": text, ...} or a list of texts, found " +
                    json_type_name(options));
    }
    if (choices.size() < 2 || choices.size() > 26) {
        reader.fail("field 'options' must hold 2 to 26 options, found " + std::to_string(choices.size()));
    }
    for (size_t i = 0; i < choices.size(); ++i) {
        const std::string expected(1, static_cast<char>('A' + i));
        if (choices[i].letter != expected) {
            reader.fail("option letters must run A, B, C, ... in order; option " + std::to_string(i + 1) + " is '" +
                        choices[i].letter + "'");
        }
        if (trim(choices[i].text).empty()) {
            reader.fail("option '" + choices[i].letter + "' is empty");
        }
    }
    return choices;
}

std::vector<SourceImage> read_images(const RecordReader& reader, bool images_required) {
    std::vector<SourceImage> images;
    if (!reader.has("images") && !images_required) {
        return images;
    }
    const auto& list = reader.required("images", reader.has("image") ? "the image list is stored under 'images'" : "");
    if (!list.is_array()) {
        reader.fail("field 'images' must be a list of image names, found " + json_type_name(list));
    }
    if (list.empty() && images_required) {
        reader.fail("field 'images' is empty; generic records need at least one image (use benchmark=instruction "
                    "for text-only samples)");
    }
    for (const auto& image : list) {
        if (!image.is_string() || trim(image.get<std::string>()).empty()) {
            reader.fail("field 'images' must hold non-empty image names, found " + image.dump());
        }
        images.push_back(SourceImage{image.get<std::string>(), {}, {}, -1});
    }
    return images;
}

void read_fields(const RecordReader& reader, SourceRecord& record) {
    if (auto caption = reader.optional_string("caption")) {
        record.fields["caption"] = *caption;
    }
    if (!reader.has("fields")) {
        return;
    }
    const auto& fields = reader.required("fields");
    if (!fields.is_object()) {
        reader.fail("field 'fields' must be an object of strings, found " + json_type_name(fields));
    }
    for (const auto& [key, value] : fields.items()) {
        if (!value.is_string()) {
            reader.fail("fields." + key + " must be a string, found " + json_type_name(value));
        }
        record.fields[key] = value.get<std::string>();
    }
}

SourceRecord read_record(RecordReader& reader, bool images_required, RepairCounts& repairs) {
    SourceRecord record;
    record.id = reader.required_id("id", repairs);
    reader.set_id(record.id);
    record.location = reader.location().describe();
    record.images = read_images(reader, images_required);
    record.question = reader.required_string("question");
    if (trim(record.question).empty()) {
        reader.fail("field 'question' is empty");
    }
    record.answer = reader.required_string("answer");
    if (trim(record.answer).empty()) {
        reader.fail("field 'answer' is empty");
    }
    if (reader.has("options")) {
        record.choices = read_options(reader);
        const std::string letter = trim(record.answer);
        bool known = false;
        for (const auto& choice : record.choices) {
            known = known || choice.letter == letter;
        }
        if (!known) {
            reader.fail("answer '" + record.answer + "' is not one of the option letters A-" +
                        record.choices.back().letter + "; multiple-choice answers are option letters");
        }
        record.answer = letter;
    }
    read_fields(reader, record);
    return record;
}

}  // namespace

GenericRecords parse_generic_records(const std::string& file_label, std::string_view content, bool images_required,
                                     bool skip_invalid) {
    GenericRecords parsed;
    content = strip_utf8_bom(content, parsed.repairs);
    std::set<std::string> ids;

    size_t line_number = 0;
    size_t start = 0;
    while (start < content.size()) {
        size_t end = content.find('\n', start);
        if (end == std::string_view::npos) {
            end = content.size();
        }
        std::string_view line = content.substr(start, end - start);
        start = end + 1;
        ++line_number;
        if (!line.empty() && line.back() == '\r') {
            line.remove_suffix(1);
            ++parsed.repairs["crlf_line_endings"];
        }
        if (trim(line).empty()) {
            continue;
        }

        RecordLocation location{file_label, line_number, parsed.records_read, ""};
        ++parsed.records_read;
        try {
            const size_t invalid = find_invalid_utf8(line);
            if (invalid != std::string_view::npos) {
                throw RecordError(location, "invalid UTF-8 at byte " + std::to_string(invalid) +
                                                " of the line; re-encode the file as UTF-8");
            }
            nlohmann::json object;
            try {
                object = nlohmann::json::parse(line);
            } catch (const nlohmann::json::parse_error& e) {
                throw RecordError(location, std::string("invalid JSON (") + e.what() + "); each line must be one "
                                                                                     "JSON object");
            }
            RecordReader reader(object, location);
            SourceRecord record = read_record(reader, images_required, parsed.repairs);
            if (!ids.insert(record.id).second) {
                reader.fail("duplicate id '" + record.id + "'; ids must be unique within the file");
            }
            parsed.records.push_back(std::move(record));
        } catch (const RecordError& e) {
            if (!skip_invalid) {
                throw;
            }
            parsed.skipped.push_back({e.location().id, e.location().describe(), e.problem()});
        }
    }
    return parsed;
}

}  // namespace medvlm
