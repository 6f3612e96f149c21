#include "data/array_records.hpp"

namespace medvlm {

void for_each_array_record(const std::string& file_label, std::string_view content, const ParseOptions& options,
                           ParsedRecords& parsed,
                           const std::function<std::optional<Example>(RecordReader&)>& read) {
    const nlohmann::json document = parse_json_document(file_label, content, parsed.repairs);
    if (!document.is_array()) {
        throw InputError(file_label + ": expected a JSON array of records, found " + json_type_name(document));
    }
    for (size_t index = 0; index < document.size(); ++index) {
        RecordLocation location{file_label, 0, index, ""};
        ++parsed.records_read;
        try {
            RecordReader reader(document[index], location);
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
