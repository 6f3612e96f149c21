#pragma once
// The shared loop of the loaders whose files are one JSON array of records.

#include <functional>
#include <optional>

#include "data/loaders.hpp"

namespace medvlm {

// Calls read() on each record. read() returns nullopt for a valid record
// outside the requested split or language, and throws RecordError for an
// invalid one, which is skipped and listed when options.skip_invalid is set.
void for_each_array_record(const std::string& file_label, std::string_view content, const ParseOptions& options,
                           ParsedRecords& parsed,
                           const std::function<std::optional<Example>(RecordReader&)>& read);

}  // namespace medvlm
