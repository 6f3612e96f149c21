#pragma once
// Typed access to one JSON record with errors that name the file, the line
// or record number, the id and the keys that are present.

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/error.hpp"

namespace medvlm {

struct RecordLocation {
    std::string file;
    size_t line = 0;   // 1-based line for JSONL files, 0 when unknown
    size_t index = 0;  // 0-based position of the record in the file
    std::string id;

    // "FILE: line 3, record id=MM-3" or "FILE: record #4, id=11934".
    [[nodiscard]] std::string describe() const;
};

// A record that does not match its benchmark's schema.
class RecordError : public InputError {
public:
    RecordError(RecordLocation location, const std::string& problem)
        : InputError(location.describe() + ": " + problem), location_(std::move(location)), problem_(problem) {}
    [[nodiscard]] const RecordLocation& location() const noexcept { return location_; }
    [[nodiscard]] const std::string& problem() const noexcept { return problem_; }

private:
    RecordLocation location_;
    std::string problem_;
};

// Counts of values medvlm changed while reading, by repair name. Every
// repair is reported in the telemetry.
using RepairCounts = std::map<std::string, int64_t>;

class RecordReader {
public:
    RecordReader(const nlohmann::json& record, RecordLocation location);

    [[nodiscard]] const RecordLocation& location() const noexcept { return location_; }
    void set_id(std::string id) { location_.id = std::move(id); }

    [[nodiscard]] bool has(std::string_view key) const;
    // Throws RecordError listing the keys present, plus `hint` when given.
    [[nodiscard]] const nlohmann::json& required(std::string_view key, std::string_view hint = {}) const;
    [[nodiscard]] std::string required_string(std::string_view key, std::string_view hint = {}) const;
    // Null or absent gives nullopt; any type other than string is an error.
    [[nodiscard]] std::optional<std::string> optional_string(std::string_view key) const;
    // Accepts an integer or a string of digits, as record ids are stored both ways.
    [[nodiscard]] std::string required_id(std::string_view key, RepairCounts& repairs) const;

    [[noreturn]] void fail(const std::string& problem) const;
    [[nodiscard]] std::string keys_present() const;

private:
    const nlohmann::json& record_;
    RecordLocation location_;
};

[[nodiscard]] std::string json_type_name(const nlohmann::json& value);

// Removes a leading UTF-8 byte order mark, counting it as a repair.
[[nodiscard]] std::string_view strip_utf8_bom(std::string_view content, RepairCounts& repairs);

}  // namespace medvlm
