#include "core/text.hpp"
#include "data/array_records.hpp"

namespace medvlm {
namespace {

std::string split_of_phrase_type(const std::string& phrase_type) {
    if (phrase_type == "test_freeform" || phrase_type == "test_para") {
        return "test";
    }
    if (phrase_type == "freeform" || phrase_type == "para") {
        return "train";
    }
    return "";
}

// The official release stores missing values as the string "NULL".
std::optional<std::string> read_nullable(const RecordReader& reader, const char* field, RepairCounts& repairs) {
    auto value = reader.optional_string(field);
    if (value && *value == "NULL") {
        ++repairs["null_string_read_as_missing"];
        return std::nullopt;
    }
    return value;
}

std::string read_text(const RecordReader& reader, const char* field, RepairCounts& repairs) {
    const auto& value = reader.required(field);
    std::string text;
    if (value.is_string()) {
        text = value.get<std::string>();
    } else if (value.is_number_integer()) {
        // Five train answers of the official release are JSON integers.
        ++repairs[std::string("integer_") + field + "_as_string"];
        text = std::to_string(value.get<int64_t>());
    } else {
        reader.fail("field '" + std::string(field) + "' must be a string, found " + json_type_name(value));
    }
    const std::string trimmed = trim(text);
    if (trimmed != text) {
        ++repairs[std::string(field) + "_whitespace_trimmed"];
    }
    return trimmed;
}

}  // namespace

ParsedRecords parse_vqa_rad(const std::string& file_label, std::string_view content, const ParseOptions& options) {
    const std::string wanted = options.split.empty() ? "test" : options.split;
    if (wanted != "test" && wanted != "train" && wanted != "all") {
        throw InputError("--split must be test, train or all for VQA-RAD (the split comes from phrase_type), not '" +
                         wanted + "'");
    }
    ParsedRecords parsed;
    parsed.split = wanted;
    std::map<std::string, size_t> phrase_types;

    for_each_array_record(file_label, content, options, parsed, [&](RecordReader& reader) -> std::optional<Example> {
        Example example;
        example.benchmark = Benchmark::VqaRad;
        example.id = reader.required_id("qid", parsed.repairs);
        reader.set_id(example.id);
        example.source = reader.location().describe();

        const std::string phrase_type = reader.required_string("phrase_type");
        const std::string split = split_of_phrase_type(phrase_type);
        if (split.empty()) {
            reader.fail("field 'phrase_type' must be freeform, para, test_freeform or test_para, found \"" +
                        phrase_type + "\"");
        }
        ++phrase_types[phrase_type];
        const std::string image_name = reader.required_string(
            "image_name", reader.has("img_name") ? "VQA-RAD names the image in 'image_name'" : "");
        example.question = read_text(reader, "question", parsed.repairs);
        example.answer = read_text(reader, "answer", parsed.repairs);
        if (example.question.empty()) {
            reader.fail("field 'question' is empty");
        }

        std::string answer_type = reader.required_string("answer_type");
        if (answer_type != trim(answer_type)) {
            // Two official train records have "CLOSED " with a trailing space.
            answer_type = trim(answer_type);
            ++parsed.repairs["answer_type_whitespace_trimmed"];
        }
        if (answer_type != "OPEN" && answer_type != "CLOSED") {
            reader.fail("field 'answer_type' must be OPEN or CLOSED, found \"" + answer_type + "\"");
        }

        example.images.push_back(ImageRef{image_name, {}, {}, 0, 0, false});
        example.fields["answer_type"] = answer_type;
        example.fields["phrase_type"] = phrase_type;
        for (const char* field : {"question_type", "image_organ", "qid_linked_id"}) {
            if (auto value = read_nullable(reader, field, parsed.repairs)) {
                example.fields[field] = *value;
            }
        }
        for (const char* field : {"question_rephrase", "question_relation", "question_frame", "evaluation"}) {
            (void)read_nullable(reader, field, parsed.repairs);
        }

        if (wanted != "all" && wanted != split) {
            return std::nullopt;
        }
        return example;
    });

    if (parsed.examples.empty() && parsed.skipped.empty() && parsed.records_read > 0) {
        std::vector<std::string> present;
        for (const auto& [type, count] : phrase_types) {
            present.push_back(type + " (" + std::to_string(count) + ")");
        }
        throw InputError(file_label + ": no records in split '" + wanted + "'; phrase_type values present: " +
                         join(present, ", ") + ". Pass --split train, test or all.");
    }
    return parsed;
}

}  // namespace medvlm
