#include "data/record_reader.hpp"

#include <algorithm>

#include "core/text.hpp"

namespace medvlm {
std::string RecordLocation::describe() const {
    std::string text = file + ": ";
    if (line > 0) {
        text += "line " + std::to_string(line);
    } else {
        text += "record #" + std::to_string(index + 1);
    }
    if (!id.empty()) {
        text += ", record id=" + id;
    }
    return text;
}

std::string json_type_name(const nlohmann::json& value) {
    if (value.is_number_integer()) {
        return "integer";
    }
    if (value.is_number_float()) {
        return "number";
    }
    return value.type_name();
}

RecordReader::RecordReader(const nlohmann::json& record, RecordLocation location)
    : record_(record), location_(std::move(location)) {
    if (!record_.is_object()) {
        fail("expected a JSON object, found " + json_type_name(record_));
    }
}

bool RecordReader::has(std::string_view key) const { return record_.contains(key); }

const nlohmann::json& RecordReader::required(std::string_view key, std::string_view hint) const {
    const auto it = record_.find(key);
    if (it == record_.end()) {
        std::string problem = "required field '" + std::string(key) + "' is missing (keys present: " +
                              keys_present() + ")";
        if (!hint.empty()) {
            problem += "; " + std::string(hint);
        }
        fail(problem);
    }
    if (it->is_null()) {
        fail("required field '" + std::string(key) + "' is null");
    }
    return *it;
}

std::string RecordReader::required_string(std::string_view key, std::string_view hint) const {
    const auto& value = required(key, hint);
    if (!value.is_string()) {
        fail("field '" + std::string(key) + "' must be a string, found " + json_type_name(value));
    }
    return value.get<std::string>();
}

std::optional<std::string> RecordReader::optional_string(std::string_view key) const {
    const auto it = record_.find(key);
    if (it == record_.end() || it->is_null()) {
        return std::nullopt;
    }
    if (!it->is_string()) {
        fail("field '" + std::string(key) + "' must be a string, found " + json_type_name(*it));
    }
    return it->get<std::string>();
}

std::string RecordReader::required_id(std::string_view key, RepairCounts& repairs) const {
    const auto& value = required(key);
    if (value.is_number_integer()) {
        return std::to_string(value.get<int64_t>());
    }
    if (value.is_string()) {
        const auto text = value.get<std::string>();
        if (text.empty()) {
            fail("field '" + std::string(key) + "' is an empty string");
        }
        if (std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; })) {
            ++repairs[std::string(key) + "_string_read_as_integer"];
        }
        return text;
    }
    fail("field '" + std::string(key) + "' must be an integer or a string, found " + json_type_name(value));
}

void RecordReader::fail(const std::string& problem) const { throw RecordError(location_, problem); }

std::string RecordReader::keys_present() const {
    // A hostile record can have thousands of keys; the message lists 20.
    constexpr size_t kListed = 20;
    std::vector<std::string> keys;
    for (const auto& item : record_.items()) {
        if (keys.size() == kListed) {
            keys.push_back("and " + std::to_string(record_.size() - kListed) + " more");
            break;
        }
        keys.push_back(excerpt(item.key(), 40));
    }
    return keys.empty() ? "none" : join(keys, ", ");
}

std::string_view strip_utf8_bom(std::string_view content, RepairCounts& repairs) {
    if (content.substr(0, 3) == "\xEF\xBB\xBF") {
        ++repairs["utf8_bom_removed"];
        return content.substr(3);
    }
    return content;
}

}  // namespace medvlm
