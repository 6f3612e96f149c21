#include "sources/source.hpp"

#include <map>
#include <set>

#include <fmt/format.h>

#include "core/files.hpp"
#include "core/sha256.hpp"
#include "core/text.hpp"
#include "sources/generic_records.hpp"

namespace medvlm {
namespace {

// The first word of the file name that starts with a split name
// ("trainset.jsonl" -> train, "val_2024.jsonl" -> val); words are split at
// anything but letters and digits, so "eval.jsonl" is not "val".
std::string split_from_file_name(const std::filesystem::path& file) {
    std::string word;
    const std::string name = to_lower_ascii(file.filename().string()) + ".";
    for (const char c : name) {
        if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')) {
            word += c;
            continue;
        }
        for (const char* split : {"train", "test", "validate", "validation", "val", "dev"}) {
            if (word.rfind(split, 0) == 0) {
                return split;
            }
        }
        word.clear();
    }
    return "unspecified";
}

SourceRecord record_from_example(Example example) {
    SourceRecord record;
    record.id = std::move(example.id);
    record.question = std::move(example.question);
    record.choices = std::move(example.choices);
    record.answer = std::move(example.answer);
    record.fields = std::move(example.fields);
    record.location = std::move(example.source);
    for (auto& image : example.images) {
        record.images.push_back(SourceImage{std::move(image.name), {}, {}, -1});
    }
    return record;
}

// The benchmark loaders leave duplicate ids to load_dataset(); sources
// check them here with the same rule: the first record of an id is kept.
void reject_duplicate_ids(Source& source, bool skip_invalid) {
    std::map<std::string, std::string> first_location;
    std::vector<SourceRecord> unique;
    unique.reserve(source.records.size());
    for (auto& record : source.records) {
        const auto [it, inserted] = first_location.emplace(record.id, record.location);
        if (inserted) {
            unique.push_back(std::move(record));
            continue;
        }
        const std::string problem = "duplicate id '" + record.id + "' (first seen at " + it->second + ")";
        if (!skip_invalid) {
            throw InputError(record.location + ": " + problem +
                             "; ids must be unique, fix the file or pass --skip-invalid to skip repeats");
        }
        source.skipped.push_back({record.id, record.location, problem});
    }
    source.records = std::move(unique);
}

void read_records(Source& source, const std::string& content, bool skip_invalid) {
    const SourceSpec& spec = source.spec;
    const std::string label = spec.data_file.string();
    if (spec.kind == SourceKind::Generic || spec.kind == SourceKind::Instruction) {
        GenericRecords parsed =
            parse_generic_records(label, content, spec.kind == SourceKind::Generic, skip_invalid);
        source.records = std::move(parsed.records);
        source.records_in_file = parsed.records_read;
        source.repairs = std::move(parsed.repairs);
        source.skipped = std::move(parsed.skipped);
        source.split = spec.split.empty() ? split_from_file_name(spec.data_file) : spec.split;
        return;
    }

    const ParseOptions options{spec.split, spec.lang, skip_invalid};
    ParsedRecords parsed;
    switch (spec.kind) {
        case SourceKind::MedXpertQaMm: parsed = parse_medxpertqa_mm(label, content, options); break;
        case SourceKind::Slake: parsed = parse_slake(label, content, options); break;
        case SourceKind::VqaRad: parsed = parse_vqa_rad(label, content, options); break;
        case SourceKind::Generic:
        case SourceKind::Instruction: break;
    }
    for (auto& example : parsed.examples) {
        source.records.push_back(record_from_example(std::move(example)));
    }
    source.records_in_file = parsed.records_read;
    source.rows_filtered_out = parsed.rows_filtered_out;
    source.repairs = std::move(parsed.repairs);
    source.skipped = std::move(parsed.skipped);
    source.split = parsed.split;
    source.lang = parsed.lang;
    reject_duplicate_ids(source, skip_invalid);
}

// Resolves every image name once. Unusable images stop the load with the
// first affected record and the totals, unless skip_invalid is set.
void resolve_images(Source& source, bool skip_invalid) {
    const std::filesystem::path& root = source.spec.image_root;
    std::map<std::string, SourceImage> resolved;
    size_t failed_names = 0;
    const SourceRecord* first_failure = nullptr;
    std::string first_problem;
    size_t failed_records = 0;

    for (auto& record : source.records) {
        bool record_failed = false;
        for (auto& image : record.images) {
            auto it = resolved.find(image.name);
            if (it == resolved.end()) {
                SourceImage result{image.name, {}, {}, -1};
                if (root.empty()) {
                    result.problem = "record names image '" + image.name + "' but the SPEC has no images=DIR";
                } else {
                    try {
                        result.path = resolve_image_path(root, image.name);
                    } catch (const InputError& e) {
                        result.problem = e.what();
                    }
                }
                failed_names += result.problem.empty() ? 0 : 1;
                it = resolved.emplace(image.name, std::move(result)).first;
            }
            image.path = it->second.path;
            image.problem = it->second.problem;
            if (!image.problem.empty() && !record_failed) {
                record_failed = true;
                ++failed_records;
                if (first_failure == nullptr) {
                    first_failure = &record;
                    first_problem = image.problem;
                }
            }
        }
    }

    if (first_failure != nullptr && !skip_invalid) {
        throw InputError(fmt::format("{}: {}. {} of {} image names cannot be used, affecting {} of {} records. "
                                     "Check images= in the SPEC, or pass --skip-invalid to keep going and list them.",
                                     first_failure->location, first_problem, failed_names, resolved.size(),
                                     failed_records, source.records.size()));
    }
}

}  // namespace

bool SourceRecord::images_usable() const {
    for (const auto& image : images) {
        if (!image.problem.empty()) {
            return false;
        }
    }
    return true;
}

std::string SourceRecord::answer_text() const {
    for (const auto& choice : choices) {
        if (choice.letter == answer) {
            return choice.text;
        }
    }
    return answer;
}

Source load_source(const SourceSpec& spec, const SourceLoadOptions& options) {
    Source source;
    source.spec = spec;
    const std::string content = read_file(spec.data_file);
    source.data_sha256 = sha256_hex(content);

    read_records(source, content, options.skip_invalid);
    if (source.records.empty()) {
        throw InputError("SPEC '" + spec.text + "': no usable records in " + spec.data_file.string() + " (" +
                         std::to_string(source.records_in_file) + " read, " +
                         std::to_string(source.rows_filtered_out) + " outside the split or language, " +
                         std::to_string(source.skipped.size()) + " invalid). Check split= and lang=.");
    }
    resolve_images(source, options.skip_invalid);

    if (!spec.name.empty()) {
        source.label = spec.name;
    } else {
        source.label = source_kind_name(spec.kind) + ":" + source.split;
        if (!source.lang.empty()) {
            source.label += ":" + source.lang;
        }
    }
    return source;
}

void require_unique_labels(const std::vector<const Source*>& sources) {
    std::map<std::string, const Source*> seen;
    for (const Source* source : sources) {
        const auto [it, inserted] = seen.emplace(source->label, source);
        if (!inserted) {
            throw InputError("SPECs '" + it->second->spec.text + "' and '" + source->spec.text +
                             "' have the same label '" + source->label + "'; add name=LABEL to one of them");
        }
    }
}

std::vector<Source> load_sources(const std::vector<SourceSpec>& specs, const SourceLoadOptions& options) {
    std::vector<Source> sources;
    for (const auto& spec : specs) {
        sources.push_back(load_source(spec, options));
    }
    std::vector<const Source*> pointers;
    for (const auto& source : sources) {
        pointers.push_back(&source);
    }
    require_unique_labels(pointers);
    return sources;
}

}  // namespace medvlm
