#include "data/jsonl_records.hpp"

#include "core/json_depth.hpp"
#include "core/text.hpp"

namespace medvlm {
namespace {

bool is_blank(std::string_view line) {
    return line.find_first_not_of(" \t\r\n\v\f") == std::string_view::npos;
}

// Calls visit(line, line_number) for each line, without its '\n'.
template <typename Visit>
void for_each_line(std::string_view content, Visit visit) {
    size_t line_number = 0;
    size_t start = 0;
    while (start < content.size()) {
        size_t end = content.find('\n', start);
        if (end == std::string_view::npos) {
            end = content.size();
        }
        visit(content.substr(start, end - start), ++line_number);
        start = end + 1;
    }
}

nlohmann::json parse_line(std::string_view line, const RecordLocation& location, const RecordLimits& limits) {
    if (line.size() > limits.max_record_bytes) {
        throw RecordError(location, record_too_long_message(line.size(), limits));
    }
    const size_t invalid = find_invalid_utf8(line);
    if (invalid != std::string_view::npos) {
        throw RecordError(location, "invalid UTF-8 at byte " + std::to_string(invalid) +
                                        " of the line; re-encode the file as UTF-8");
    }
    // nlohmann::json stops reading at a NUL byte and accepts what came
    // before it, so a NUL would hide everything after it on the line.
    const size_t nul = line.find('\0');
    if (nul != std::string_view::npos) {
        throw RecordError(location, "NUL byte at byte " + std::to_string(nul) +
                                        " of the line; JSON text cannot contain one (is the file binary or UTF-16?)");
    }
    const size_t depth = json_nesting_depth(line);
    if (depth > kMaxJsonDepth) {
        throw RecordError(location, "record " + json_too_deep_message(depth));
    }
    try {
        return nlohmann::json::parse(line);
    } catch (const nlohmann::json::exception& e) {
        throw RecordError(location, std::string("invalid JSON (") + e.what() + "); each line must be one JSON object");
    }
}

}  // namespace

void for_each_jsonl_record(const std::string& file_label, std::string_view content, bool skip_invalid,
                           const RecordLimits& limits, JsonlRecords& parsed,
                           const std::function<void(const nlohmann::json&, const RecordLocation&)>& read) {
    content = strip_utf8_bom(content, parsed.repairs);

    // Counted first, so an oversized file stops before any record is parsed.
    size_t records = 0;
    for_each_line(content, [&](std::string_view line, size_t) { records += is_blank(line) ? 0 : 1; });
    if (records > limits.max_records) {
        throw InputError(too_many_records_message(file_label, records, limits));
    }

    for_each_line(content, [&](std::string_view line, size_t line_number) {
        if (!line.empty() && line.back() == '\r') {
            line.remove_suffix(1);
            ++parsed.repairs["crlf_line_endings"];
        }
        if (is_blank(line)) {
            return;
        }
        const RecordLocation location{file_label, line_number, parsed.records_read, ""};
        ++parsed.records_read;
        try {
            read(parse_line(line, location, limits), location);
        } catch (const RecordError& e) {
            if (!skip_invalid) {
                throw;
            }
            parsed.skipped.push_back({e.location().id, e.location().describe(), e.problem()});
        }
    });
}

}  // namespace medvlm
