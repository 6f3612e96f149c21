#include "run/merge.hpp"

#include <map>
#include <set>

#include "core/error.hpp"
#include "run/call_plan.hpp"
#include "run/manifest.hpp"
#include "run/run_directory.hpp"
#include "run/run_store.hpp"

namespace medvlm {
namespace {

namespace fs = std::filesystem;

struct Input {
    fs::path dir;
    StoredRun run;
    std::map<std::string, Prediction> predictions;
};

std::vector<Input> read_inputs(const std::vector<fs::path>& dirs) {
    if (dirs.empty()) {
        throw InputError("medvlm merge needs at least one run directory to merge");
    }
    std::set<fs::path> seen;
    std::vector<Input> inputs;
    for (const auto& dir : dirs) {
        std::error_code ec;
        const fs::path canonical = fs::weakly_canonical(dir, ec);
        if (!seen.insert(ec ? dir : canonical).second) {
            throw InputError(dir.string() + ": named twice in the runs to merge");
        }
        RunStore store = RunStore::open_read_only(dir / kRunStoreFile);
        Input input{dir, *store.run(), store.load_predictions()};
        if (!inputs.empty() && input.run.manifest_hash != inputs.front().run.manifest_hash) {
            std::string message = dir.string() + ": its manifest differs from that of " +
                                  inputs.front().dir.string() + ", so the runs cannot be merged. Differing fields:";
            for (const auto& difference : manifest_differences(inputs.front().run.manifest, input.run.manifest)) {
                message += "\n  - " + difference;
            }
            throw InputError(message);
        }
        inputs.push_back(std::move(input));
    }
    return inputs;
}

// The prediction as JSON without its timings, which differ between any two
// executions of the same call.
nlohmann::json comparable(const Prediction& prediction) {
    nlohmann::json value = prediction.to_json();
    value.erase("timings_ms");
    return value;
}

std::string differing_fields(const Prediction& a, const Prediction& b) {
    const nlohmann::json left = comparable(a);
    const nlohmann::json right = comparable(b);
    std::string fields;
    for (const auto& item : left.items()) {
        if (right.at(item.key()) != item.value()) {
            fields += (fields.empty() ? "" : ", ") + item.key();
        }
    }
    return fields;
}

struct Combined {
    std::map<std::string, Prediction> predictions;
    size_t duplicates = 0;
};

Combined combine(const std::vector<Input>& inputs) {
    Combined combined;
    std::map<std::string, const fs::path*> source;
    std::vector<std::string> disagreements;
    for (const auto& input : inputs) {
        for (const auto& [key, prediction] : input.predictions) {
            const auto it = combined.predictions.find(key);
            if (it == combined.predictions.end()) {
                combined.predictions.emplace(key, prediction);
                source[key] = &input.dir;
                continue;
            }
            combined.duplicates += 1;
            Prediction& kept = it->second;
            if (!kept.ok && prediction.ok) {
                kept = prediction;  // an answer replaces a recorded failure
                source[key] = &input.dir;
            } else if (kept.ok && prediction.ok && comparable(kept) != comparable(prediction)) {
                disagreements.push_back(key + " (" + source[key]->string() + " vs " + input.dir.string() +
                                        ": " + differing_fields(kept, prediction) + ")");
            }
        }
    }
    if (!disagreements.empty()) {
        std::string message = std::to_string(disagreements.size()) +
                              " calls are stored in more than one input with different answers, so the runs "
                              "cannot be merged:";
        for (size_t i = 0; i < disagreements.size() && i < 20; ++i) {
            message += "\n  - " + disagreements[i];
        }
        message += "\nThe same manifest should give the same answers; check that every input used the same "
                   "model build and server settings, and merge only one copy of each shard.";
        throw InputError(message);
    }
    return combined;
}

Dataset load_manifest_dataset(const nlohmann::json& manifest, const MergeOptions& options) {
    const auto& data = manifest.at("data");
    DatasetOptions dataset_options;
    dataset_options.benchmark = parse_benchmark(manifest.at("benchmark").get<std::string>());
    dataset_options.data_file = options.data_file.empty() ? fs::path(data.at("file").get<std::string>())
                                                          : options.data_file;
    dataset_options.image_root = options.image_root.empty() ? fs::path(data.at("image_root").get<std::string>())
                                                            : options.image_root;
    dataset_options.split = data.at("split").get<std::string>();
    dataset_options.lang = data.at("lang").get<std::string>();
    dataset_options.limit = data.at("limit").get<size_t>();
    dataset_options.skip_invalid = data.at("skip_invalid").get<bool>();
    dataset_options.image_limits.max_pixels = manifest.at("image_limits").at("max_pixels").get<int64_t>();
    dataset_options.image_limits.max_file_bytes = manifest.at("image_limits").at("max_file_bytes").get<int64_t>();

    Dataset dataset = load_dataset(dataset_options);
    const std::string fix = "; pass --data and --image-root with the files the runs used";
    if (dataset.data_sha256 != data.at("sha256").get<std::string>()) {
        throw InputError(dataset_options.data_file.string() + ": SHA-256 " + dataset.data_sha256 +
                         " differs from the runs' data file (" + data.at("sha256").get<std::string>() + ")" + fix);
    }
    if (image_set_hash(dataset) != data.at("images_sha256").get<std::string>()) {
        throw InputError(dataset_options.image_root.string() + ": the images differ from those the runs used" + fix);
    }
    if (dataset.examples.size() != data.at("rows").get<size_t>()) {
        throw InputError(dataset_options.data_file.string() + ": " + std::to_string(dataset.examples.size()) +
                         " rows loaded, but the runs evaluated " + std::to_string(data.at("rows").get<size_t>()) + fix);
    }
    return dataset;
}

// The keys of the whole run in plan order. Only the rows, modes and
// rotations decide the keys, so the recorded protocol is enough.
std::vector<std::string> whole_run_keys(const nlohmann::json& manifest, const Dataset& dataset) {
    EvalConfig config;
    config.dataset = dataset.options;
    config.modes.clear();
    for (const auto& mode : manifest.at("protocol").at("modes")) {
        config.modes.push_back(parse_mode(mode.get<std::string>()));
    }
    config.rotations = manifest.at("protocol").at("rotations").get<int>();
    config.seed = manifest.at("protocol").at("seed").get<uint64_t>();
    config.scoring = parse_scoring(manifest.at("protocol").at("scoring").get<std::string>());
    std::vector<std::string> keys;
    for (const auto& call : plan_calls(config, dataset)) {
        keys.push_back(prediction_key(call.example->id, call.mode, call.rotation));
    }
    return keys;
}

}  // namespace

MergeOutcome merge_runs(const MergeOptions& options) {
    const std::vector<Input> inputs = read_inputs(options.inputs);
    const Combined combined = combine(inputs);
    const Dataset dataset = load_manifest_dataset(inputs.front().run.manifest, options);
    const std::vector<std::string> keys = whole_run_keys(inputs.front().run.manifest, dataset);
    const ShardSpec whole;
    RunCompleteness completeness = check_completeness(keys, combined.predictions, whole);

    nlohmann::json manifest = inputs.front().run.manifest;
    nlohmann::json merged_from = nlohmann::json::array();
    for (const auto& input : inputs) {
        merged_from.push_back({{"run_dir", input.dir.string()},
                               {"shard", input.run.shard.to_string()},
                               {"calls", input.predictions.size()},
                               {"engine", input.run.manifest.at("execution").at("engine")}});
    }
    manifest["execution"] = {{"shard", whole.to_string()}, {"merged_from", merged_from}};

    const fs::path out_dir = create_run_directory(options.out_dir, false);
    RunStore store = RunStore::open_for_writing(out_dir / kRunStoreFile);
    store.initialize(manifest, whole);
    std::vector<Prediction> predictions;
    for (const auto& [key, prediction] : combined.predictions) {
        predictions.push_back(prediction);
    }
    store.commit(predictions);

    MergeOutcome outcome;
    outcome.out_dir = out_dir;
    outcome.manifest = manifest;
    outcome.duplicates = combined.duplicates;
    outcome.summary = write_run_outputs(out_dir, manifest, dataset, keys, store.load_predictions(), completeness);
    outcome.completeness = std::move(completeness);
    return outcome;
}

}  // namespace medvlm
