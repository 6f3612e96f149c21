#pragma once
// The shared loop of the loaders whose files hold one JSON object per line:
// MedXpertQA-MM and medvlm's generic and instruction records.
//
// A UTF-8 byte order mark and CRLF line endings are valid and counted as
// repairs; blank lines are ignored. Each line is checked against the record
// limits, for valid UTF-8 and for its nesting depth before it is parsed.

#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "data/loaders.hpp"

namespace medvlm {

struct JsonlRecords {
    size_t records_read = 0;
    RepairCounts repairs;
    std::vector<SkippedRow> skipped;
};

// Calls read() with each parsed line. read() throws RecordError for an
// invalid record, which is skipped and listed when skip_invalid is set;
// otherwise the first one stops the load. Throws InputError, never
// skippable, when the file has more records than limits.max_records.
void for_each_jsonl_record(const std::string& file_label, std::string_view content, bool skip_invalid,
                           const RecordLimits& limits, JsonlRecords& parsed,
                           const std::function<void(const nlohmann::json&, const RecordLocation&)>& read);

}  // namespace medvlm
