#include "train/training_records.hpp"

#include <map>
#include <set>
#include <sstream>

#include "core/error.hpp"
#include "core/files.hpp"
#include "core/sha256.hpp"

namespace medvlm {
namespace {

class LineReader {
public:
    LineReader(std::string origin) : origin_(std::move(origin)) {}

    [[noreturn]] void fail(const std::string& message) const { throw InputError(origin_ + ": " + message); }

    const nlohmann::json& field(const nlohmann::json& object, const char* name, nlohmann::json::value_t type,
                                const char* type_name) const {
        const auto it = object.find(name);
        if (it == object.end()) {
            fail(std::string("required field '") + name + "' is missing");
        }
        const bool matches = it->type() == type ||
                             (type == nlohmann::json::value_t::number_integer && it->is_number_unsigned());
        if (!matches) {
            fail(std::string("field '") + name + "' must be " + type_name);
        }
        return *it;
    }

private:
    std::string origin_;
};

std::vector<std::string> string_list(const LineReader& reader, const nlohmann::json& object, const char* name) {
    const auto& list = reader.field(object, name, nlohmann::json::value_t::array, "a list of strings");
    std::vector<std::string> values;
    for (const auto& item : list) {
        if (!item.is_string()) {
            reader.fail(std::string("field '") + name + "' must hold only strings");
        }
        values.push_back(item.get<std::string>());
    }
    return values;
}

TrainingRecord parse_record(const nlohmann::json& object, const std::string& origin,
                            std::map<std::filesystem::path, std::string>& hashes) {
    const LineReader reader(origin);
    if (!object.is_object()) {
        reader.fail("a line must be a JSON object");
    }
    TrainingRecord record;
    record.origin = origin;
    record.id = reader.field(object, "id", nlohmann::json::value_t::string, "a string").get<std::string>();
    if (record.id.empty()) {
        reader.fail("field 'id' is empty");
    }
    const LineReader named(origin + " (id " + record.id + ")");
    record.stage = named.field(object, "stage", nlohmann::json::value_t::number_integer, "an integer").get<int>();
    if (record.stage < 1 || record.stage > 4) {
        named.fail("field 'stage' must be 1, 2, 3 or 4, got " + std::to_string(record.stage));
    }
    record.source = named.field(object, "source", nlohmann::json::value_t::object, "an object");
    for (const char* key : {"benchmark", "file", "record_id"}) {
        named.field(record.source, key, nlohmann::json::value_t::string, "a string");
    }
    record.prompt = named.field(object, "prompt", nlohmann::json::value_t::string, "a string").get<std::string>();
    record.answer = named.field(object, "answer", nlohmann::json::value_t::string, "a string").get<std::string>();
    if (record.prompt.empty() || record.answer.empty()) {
        named.fail("fields 'prompt' and 'answer' must not be empty");
    }

    const auto images = string_list(named, object, "images");
    record.image_sha256 = string_list(named, object, "image_sha256");
    if (images.size() != record.image_sha256.size()) {
        named.fail("'images' has " + std::to_string(images.size()) + " entries but 'image_sha256' has " +
                   std::to_string(record.image_sha256.size()));
    }
    for (size_t i = 0; i < images.size(); ++i) {
        const std::filesystem::path path = images[i];
        if (!path.is_absolute()) {
            named.fail("image '" + images[i] + "' is not an absolute path; stage files name images by absolute path");
        }
        if (!std::filesystem::is_regular_file(path)) {
            named.fail("image '" + images[i] + "' not found");
        }
        auto cached = hashes.find(path);
        if (cached == hashes.end()) {
            cached = hashes.emplace(path, sha256_file(path)).first;
        }
        if (cached->second != record.image_sha256[i]) {
            named.fail("image '" + images[i] + "' has SHA-256 " + cached->second + " but the record says " +
                       record.image_sha256[i] + "; the image changed since the stage file was written, so "
                       "regenerate the stage file");
        }
        record.images.push_back(path);
    }
    return record;
}

}  // namespace

TrainingData read_training_files(const std::vector<std::filesystem::path>& paths) {
    if (paths.empty()) {
        throw InputError("--data names no stage file");
    }
    TrainingData data;
    std::map<std::filesystem::path, std::string> hashes;
    for (const auto& path : paths) {
        const std::string content = read_file(path);
        TrainingFile file{path, sha256_hex(content), 0};
        std::set<std::string> ids;
        std::istringstream lines(content);
        std::string line;
        size_t number = 0;
        while (std::getline(lines, line)) {
            ++number;
            if (line.find_first_not_of(" \t\r") == std::string::npos) {
                continue;
            }
            const std::string origin = path.string() + ": line " + std::to_string(number);
            nlohmann::json object;
            try {
                object = nlohmann::json::parse(line);
            } catch (const nlohmann::json::exception& e) {
                throw InputError(origin + ": invalid JSON (" + e.what() + ")");
            }
            TrainingRecord record = parse_record(object, origin, hashes);
            if (!ids.insert(record.id).second) {
                throw InputError(origin + ": duplicate id '" + record.id + "'; ids must be unique within a stage file");
            }
            data.records.push_back(std::move(record));
            ++file.records;
        }
        if (file.records == 0) {
            throw InputError(path.string() + ": the stage file holds no records");
        }
        data.files.push_back(std::move(file));
    }
    return data;
}

}  // namespace medvlm
