#include "core/text.hpp"
#include "data/array_records.hpp"

namespace medvlm {
namespace {

std::string split_from_file_name(const std::string& file_label) {
    const std::string lower = to_lower_ascii(file_label);
    for (const char* split : {"train", "test", "validate"}) {
        if (lower.find(split) != std::string::npos) {
            return split;
        }
    }
    return "unspecified";
}

// SLAKE stores most answers as strings but a few numeric answers can arrive
// as JSON numbers in re-exported copies; both are read as text.
std::string read_answer(const RecordReader& reader, RepairCounts& repairs) {
    const auto& answer = reader.required("answer");
    if (answer.is_string()) {
        return answer.get<std::string>();
    }
    if (answer.is_number_integer()) {
        ++repairs["integer_answer_as_string"];
        return std::to_string(answer.get<int64_t>());
    }
    reader.fail("field 'answer' must be a string, found " + json_type_name(answer));
}

}  // namespace

ParsedRecords parse_slake(const std::string& file_label, std::string_view content, const ParseOptions& options) {
    if (options.lang != "en" && options.lang != "zh" && options.lang != "all") {
        throw InputError("--lang must be en, zh or all for SLAKE, not '" + options.lang + "'");
    }
    ParsedRecords parsed;
    parsed.split = options.split.empty() ? split_from_file_name(file_label) : options.split;
    parsed.lang = options.lang;

    for_each_array_record(file_label, content, options, parsed, [&](RecordReader& reader) -> std::optional<Example> {
        Example example;
        example.benchmark = Benchmark::Slake;
        example.id = reader.required_id("qid", parsed.repairs);
        reader.set_id(example.id);
        example.source = reader.location().describe();

        const std::string lang = reader.required_string("q_lang");
        if (lang != "en" && lang != "zh") {
            reader.fail("field 'q_lang' must be \"en\" or \"zh\", found \"" + lang + "\"");
        }
        const std::string image_name = reader.required_string(
            "img_name", reader.has("image_name") ? "SLAKE names the image in 'img_name'" : "");
        example.question = reader.required_string("question");
        example.answer = read_answer(reader, parsed.repairs);

        std::string answer_type = reader.required_string("answer_type");
        if (answer_type != trim(answer_type)) {
            answer_type = trim(answer_type);
            ++parsed.repairs["answer_type_whitespace_trimmed"];
        }
        if (answer_type != "OPEN" && answer_type != "CLOSED") {
            reader.fail("field 'answer_type' must be OPEN or CLOSED, found \"" + answer_type + "\"");
        }
        if (trim(example.question).empty()) {
            reader.fail("field 'question' is empty");
        }

        example.images.push_back(ImageRef{image_name, {}, {}, 0, 0, false});
        example.fields["q_lang"] = lang;
        example.fields["answer_type"] = answer_type;
        for (const char* field : {"content_type", "modality", "location", "base_type"}) {
            if (auto value = reader.optional_string(field)) {
                example.fields[field] = *value;
            }
        }

        if (options.lang != "all" && options.lang != lang) {
            return std::nullopt;
        }
        return example;
    });
    return parsed;
}

}  // namespace medvlm
