#include "data/dataset.hpp"

#include <map>
#include <set>

#include <fmt/format.h>

#include "core/files.hpp"
#include "core/sha256.hpp"
#include "data/loaders.hpp"
#include "data/stand_in_images.hpp"

namespace medvlm {
namespace {

ParsedRecords parse_records(const DatasetOptions& options, const std::string& content) {
    const ParseOptions parse_options{options.split, options.lang, options.skip_invalid};
    const std::string label = options.data_file.string();
    switch (options.benchmark) {
        case Benchmark::MedXpertQaMm: return parse_medxpertqa_mm(label, content, parse_options);
        case Benchmark::Slake: return parse_slake(label, content, parse_options);
        case Benchmark::VqaRad: return parse_vqa_rad(label, content, parse_options);
    }
    throw Error("unhandled benchmark");
}

// Keeps the first record of each id; later ones are errors (or skipped).
void reject_duplicate_ids(const DatasetOptions& options, ParsedRecords& parsed) {
    std::map<std::string, std::string> first_source;
    std::vector<Example> unique;
    unique.reserve(parsed.examples.size());
    for (auto& example : parsed.examples) {
        const auto [it, inserted] = first_source.emplace(example.id, example.source);
        if (inserted) {
            unique.push_back(std::move(example));
            continue;
        }
        const std::string problem = "duplicate id '" + example.id + "' (first seen at " + it->second + ")";
        if (!options.skip_invalid) {
            throw InputError(example.source + ": " + problem +
                             "; ids must be unique, fix the file or pass --skip-invalid to skip repeats");
        }
        parsed.skipped.push_back({example.id, example.source, problem});
    }
    parsed.examples = std::move(unique);
}

struct ImageCheck {
    bool ok = false;
    ImageProblem problem = ImageProblem::NotFound;
    std::string message;
    std::filesystem::path path;
    std::string sha256;
    int width = 0;
    int height = 0;
    std::vector<std::string> conversions;
};

ImageCheck check_image(const std::filesystem::path& root, const std::string& name, const ImageLimits& limits) {
    ImageCheck check;
    try {
        check.path = resolve_image_path(root, name);
        const std::string bytes = read_file(check.path);
        const DecodedImage image = decode_image(bytes, limits, "image '" + name + "'");
        check.sha256 = sha256_hex(bytes);
        check.width = image.width;
        check.height = image.height;
        check.conversions = image.conversions;
        check.ok = true;
    } catch (const ImageError& e) {
        check.problem = e.problem();
        check.message = e.what();
    } catch (const InputError& e) {
        check.problem = ImageProblem::NotFound;
        check.message = e.what();
    }
    return check;
}

}  // namespace

Dataset load_dataset(const DatasetOptions& options) {
    Dataset dataset;
    dataset.options = options;
    dataset.stand_in_images = options.stand_in_images || holds_stand_in_images(options.image_root);
    const std::string content = read_file(options.data_file);
    dataset.data_sha256 = sha256_hex(content);

    ParsedRecords parsed = parse_records(options, content);
    reject_duplicate_ids(options, parsed);
    dataset.split = parsed.split;
    dataset.lang = parsed.lang;

    Telemetry& telemetry = dataset.telemetry;
    telemetry.records_in_file = static_cast<int64_t>(parsed.records_read);
    telemetry.rows_filtered_out = static_cast<int64_t>(parsed.rows_filtered_out);
    telemetry.repairs = parsed.repairs;
    telemetry.skipped_rows = parsed.skipped;

    if (options.limit > 0 && parsed.examples.size() > options.limit) {
        telemetry.rows_beyond_limit = static_cast<int64_t>(parsed.examples.size() - options.limit);
        parsed.examples.resize(options.limit);
    }

    // Check each distinct image name once.
    std::map<std::string, ImageCheck> checks;
    for (const auto& example : parsed.examples) {
        for (const auto& image : example.images) {
            if (!checks.contains(image.name)) {
                checks.emplace(image.name, check_image(options.image_root, image.name, options.image_limits));
            }
        }
    }

    size_t failed_images = 0;
    for (const auto& [name, check] : checks) {
        failed_images += check.ok ? 0 : 1;
    }
    std::vector<const Example*> failed_rows;
    for (const auto& example : parsed.examples) {
        for (const auto& image : example.images) {
            if (!checks.at(image.name).ok) {
                failed_rows.push_back(&example);
                break;
            }
        }
    }

    if (!failed_rows.empty() && !options.skip_invalid) {
        const Example& first = *failed_rows.front();
        std::string first_message;
        for (const auto& image : first.images) {
            const auto& check = checks.at(image.name);
            if (!check.ok) {
                first_message = check.message;
                break;
            }
        }
        throw InputError(fmt::format(
            "{}: {}. {} of {} referenced images are unusable ({} missing), affecting {} of {} rows "
            "({} others besides this one). Check --image-root, or pass --skip-invalid to skip and list these rows.",
            first.source, first_message, failed_images, checks.size(),
            std::count_if(checks.begin(), checks.end(),
                          [](const auto& item) {
                              return !item.second.ok && item.second.problem == ImageProblem::NotFound;
                          }),
            failed_rows.size(), parsed.examples.size(), failed_rows.size() - 1));
    }

    std::set<std::filesystem::path> unique_paths;
    for (auto& example : parsed.examples) {
        std::string failure;
        for (auto& image : example.images) {
            const auto& check = checks.at(image.name);
            if (!check.ok) {
                failure = image_problem_name(check.problem) + ": " + check.message;
                break;
            }
            image.path = check.path;
            image.sha256 = check.sha256;
            image.width = check.width;
            image.height = check.height;
            image.loaded = true;
        }
        if (!failure.empty()) {
            telemetry.skipped_rows.push_back({example.id, example.source, failure});
            continue;
        }

        telemetry.rows += 1;
        telemetry.images_referenced += static_cast<int64_t>(example.images.size());
        telemetry.rows_with_image_filenames += example.images.empty() ? 0 : 1;
        const int64_t loaded = static_cast<int64_t>(example.images.size());
        telemetry.images_loaded += loaded;
        telemetry.rows_with_loaded_images += loaded > 0 ? 1 : 0;
        telemetry.zero_image_rows += loaded == 0 ? 1 : 0;
        telemetry.images_per_row[loaded] += 1;
        for (const auto& image : example.images) {
            if (unique_paths.insert(image.path).second) {
                for (const auto& conversion : checks.at(image.name).conversions) {
                    telemetry.image_conversions[conversion] += 1;
                }
            }
        }
        dataset.examples.push_back(std::move(example));
    }
    telemetry.unique_images = static_cast<int64_t>(unique_paths.size());
    return dataset;
}

}  // namespace medvlm
