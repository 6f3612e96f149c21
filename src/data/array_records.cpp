#include "data/array_records.hpp"

#include <algorithm>

#include "core/json_depth.hpp"
#include "core/text.hpp"

namespace medvlm {
namespace {

struct ElementSpan {
    size_t offset = 0;
    size_t size = 0;
};

bool is_json_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

// Finds the elements of a top-level JSON array from its bracket structure
// alone, so each record can be measured against the limits before it is
// parsed. Returns false when the text is not '[' elements separated by
// commas ']' (then the caller lets the JSON parser report the error). An
// element whose own text is invalid still gets a span; parsing it fails.
bool scan_top_level_array(std::string_view content, std::vector<ElementSpan>& elements) {
    size_t pos = 0;
    while (pos < content.size() && is_json_space(content[pos])) {
        ++pos;
    }
    if (pos == content.size() || content[pos] != '[') {
        return false;
    }
    size_t depth = 1;
    bool in_string = false;
    bool escaped = false;
    bool after_comma = false;
    size_t element_start = std::string_view::npos;
    size_t element_end = 0;  // one past the last non-space byte of the element
    for (++pos; pos < content.size(); ++pos) {
        const char c = content[pos];
        if (in_string) {
            if (escaped) {
                escaped = false;
            } else if (c == '\\') {
                escaped = true;
            } else if (c == '"') {
                in_string = false;
                element_end = pos + 1;
            }
            continue;
        }
        if (is_json_space(c)) {
            continue;
        }
        if (depth == 1 && (c == ',' || c == ']' || c == '}')) {
            if (c == '}') {
                return false;
            }
            if (element_start == std::string_view::npos) {
                // "[,": an empty element; "[1,]": a trailing comma; "[]" is fine.
                if (c == ',' || after_comma) {
                    return false;
                }
            } else {
                elements.push_back({element_start, element_end - element_start});
                element_start = std::string_view::npos;
            }
            if (c == ']') {
                ++pos;
                while (pos < content.size() && is_json_space(content[pos])) {
                    ++pos;
                }
                return pos == content.size();
            }
            after_comma = true;
            continue;
        }
        if (element_start == std::string_view::npos) {
            element_start = pos;
        }
        element_end = pos + 1;
        if (c == '"') {
            in_string = true;
        } else if (c == '[' || c == '{') {
            ++depth;
        } else if (c == ']' || c == '}') {
            --depth;
        }
    }
    return false;  // the array never closes
}

size_t line_of_offset(std::string_view content, size_t offset) {
    offset = std::min(offset, content.size());
    return 1 + static_cast<size_t>(std::count(content.begin(), content.begin() + static_cast<long>(offset), '\n'));
}

// The file is not a well-formed array: reports why, with the line.
[[noreturn]] void reject_document(const std::string& file_label, std::string_view content) {
    const size_t depth = json_nesting_depth(content);
    if (depth > kMaxJsonDepth + 1) {
        throw InputError(file_label + ": the file " + json_too_deep_message(depth) +
                         "; it is not a benchmark records file");
    }
    nlohmann::json document;
    try {
        document = nlohmann::json::parse(content);
    } catch (const nlohmann::json::parse_error& e) {
        const size_t line = e.byte > 0 ? line_of_offset(content, e.byte - 1) : 1;
        throw InputError(file_label + ": line " + std::to_string(line) + ": invalid JSON (" + e.what() + ")");
    } catch (const nlohmann::json::out_of_range& e) {
        // A number beyond the range of double, such as 1e999.
        throw InputError(file_label + ": invalid JSON (" + e.what() + ")");
    }
    if (!document.is_array()) {
        throw InputError(file_label + ": expected a JSON array of records, found " + json_type_name(document));
    }
    // nlohmann::json accepts a few things the record scanner does not, such
    // as a second byte order mark before the array.
    throw InputError(file_label +
                     ": the JSON array parses but could not be split into records; save the file as one plain "
                     "JSON array with at most one UTF-8 byte order mark and nothing before or after it");
}

nlohmann::json parse_element(std::string_view content, const ElementSpan& span, const RecordLocation& location,
                             const RecordLimits& limits) {
    if (span.size > limits.max_record_bytes) {
        throw RecordError(location, record_too_long_message(span.size, limits));
    }
    const std::string_view text = content.substr(span.offset, span.size);
    const size_t depth = json_nesting_depth(text);
    if (depth > kMaxJsonDepth) {
        throw RecordError(location, "record " + json_too_deep_message(depth));
    }
    try {
        return nlohmann::json::parse(text);
    } catch (const nlohmann::json::parse_error& e) {
        const size_t line = line_of_offset(content, span.offset + (e.byte > 0 ? e.byte - 1 : 0));
        throw RecordError(location, "invalid JSON at line " + std::to_string(line) + " (" + e.what() + ")");
    } catch (const nlohmann::json::out_of_range& e) {
        // A number beyond the range of double, such as 1e999.
        throw RecordError(location, std::string("invalid JSON (") + e.what() + ")");
    }
}

}  // namespace

void for_each_array_record(const std::string& file_label, std::string_view content, const ParseOptions& options,
                           ParsedRecords& parsed,
                           const std::function<std::optional<Example>(RecordReader&)>& read) {
    content = strip_utf8_bom(content, parsed.repairs);
    const size_t invalid = find_invalid_utf8(content);
    if (invalid != std::string_view::npos) {
        throw InputError(file_label + ": line " + std::to_string(line_of_offset(content, invalid)) +
                         ": invalid UTF-8 at byte offset " + std::to_string(invalid) +
                         "; re-encode the file as UTF-8");
    }
    // nlohmann::json stops reading at a NUL byte and accepts what came
    // before it, so a NUL would hide the rest of the file.
    const size_t nul = content.find('\0');
    if (nul != std::string_view::npos) {
        throw InputError(file_label + ": line " + std::to_string(line_of_offset(content, nul)) +
                         ": NUL byte at byte offset " + std::to_string(nul) +
                         "; JSON text cannot contain one (is the file binary or UTF-16?)");
    }
    std::vector<ElementSpan> elements;
    if (!scan_top_level_array(content, elements)) {
        reject_document(file_label, content);
    }
    if (elements.size() > options.limits.max_records) {
        throw InputError(too_many_records_message(file_label, elements.size(), options.limits));
    }

    for (size_t index = 0; index < elements.size(); ++index) {
        RecordLocation location{file_label, 0, index, ""};
        ++parsed.records_read;
        try {
            const nlohmann::json record = parse_element(content, elements[index], location, options.limits);
            RecordReader reader(record, location);
            auto example = read(reader);
            if (example) {
                parsed.examples.push_back(std::move(*example));
            } else {
                ++parsed.rows_filtered_out;
            }
        } catch (const RecordError& e) {
            if (!options.skip_invalid) {
                throw;
            }
            parsed.skipped.push_back({e.location().id, e.location().describe(), e.problem()});
        }
    }
}

}  // namespace medvlm
