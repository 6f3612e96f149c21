#include "report/example_index.hpp"

#include <numeric>
#include <set>

#include <nlohmann/json.hpp>

#include "core/error.hpp"
#include "core/text.hpp"
#include "report/short_answer_slices.hpp"
#include "report/slices_multiple_choice.hpp"
#include "scoring/short_answer_question.hpp"

namespace medvlm {
namespace {

// Union-find over example positions.
class Components {
public:
    explicit Components(size_t size) : parent_(size) { std::iota(parent_.begin(), parent_.end(), size_t{0}); }

    size_t root(size_t i) {
        while (parent_[i] != i) {
            parent_[i] = parent_[parent_[i]];
            i = parent_[i];
        }
        return i;
    }

    void join(size_t a, size_t b) { parent_[root(a)] = root(b); }

private:
    std::vector<size_t> parent_;
};

// Cluster labels by example position: the alphabetically first image name
// of the cluster, or "example:ID" for an example without images.
std::vector<std::string> image_clusters(const std::vector<Example>& examples) {
    Components components(examples.size());
    std::map<std::string, size_t> first_by_key;
    for (size_t i = 0; i < examples.size(); ++i) {
        for (const auto& image : examples[i].images) {
            for (const std::string& key : {"name:" + image.name, image.sha256.empty() ? "" : "sha256:" + image.sha256}) {
                if (key.empty()) {
                    continue;
                }
                const auto [it, inserted] = first_by_key.emplace(key, i);
                if (!inserted) {
                    components.join(i, it->second);
                }
            }
        }
    }

    std::map<size_t, std::string> label_by_root;
    for (size_t i = 0; i < examples.size(); ++i) {
        for (const auto& image : examples[i].images) {
            std::string& label = label_by_root[components.root(i)];
            if (label.empty() || image.name < label) {
                label = image.name;
            }
        }
    }
    std::vector<std::string> labels(examples.size());
    for (size_t i = 0; i < examples.size(); ++i) {
        const auto it = label_by_root.find(components.root(i));
        labels[i] = it == label_by_root.end() ? "example:" + examples[i].id : it->second;
    }
    return labels;
}

std::vector<SliceDefinition> slice_definitions(Benchmark benchmark) {
    if (task_kind(benchmark) == TaskKind::MultipleChoice) {
        return multiple_choice_slice_definitions();
    }
    std::vector<SliceDefinition> definitions;
    for (auto& slice : short_answer_slices(benchmark)) {
        definitions.push_back(std::move(slice.definition));
    }
    return definitions;
}

}  // namespace

ExampleIndex::ExampleIndex(std::vector<ExampleInfo> examples, std::vector<std::string> slice_names)
    : examples_(std::move(examples)), slice_names_(std::move(slice_names)) {
    for (size_t i = 0; i < examples_.size(); ++i) {
        if (!positions_.emplace(examples_[i].id, i).second) {
            throw InputError("example id '" + examples_[i].id + "' appears twice in the example index");
        }
    }
}

const ExampleInfo* ExampleIndex::find(const std::string& id) const {
    const auto it = positions_.find(id);
    return it == positions_.end() ? nullptr : &examples_[it->second];
}

size_t ExampleIndex::cluster_count() const {
    std::set<std::string> clusters;
    for (const auto& example : examples_) {
        clusters.insert(example.cluster);
    }
    return clusters.size();
}

std::string ExampleIndex::to_jsonl() const {
    std::string text = nlohmann::json{{"slice_names", slice_names_}}.dump() + "\n";
    for (const auto& example : examples_) {
        const nlohmann::json line = {{"id", example.id},
                                     {"language", example.language},
                                     {"cluster", example.cluster},
                                     {"slices", example.slices},
                                     {"image_sha256", example.image_sha256}};
        text += line.dump() + "\n";
    }
    return text;
}

ExampleIndex ExampleIndex::from_jsonl(const std::string& text, const std::string& file_name) {
    std::vector<ExampleInfo> examples;
    std::vector<std::string> slice_names;
    size_t line_number = 0;
    bool header_read = false;
    for (const auto& line : split(text, '\n')) {
        ++line_number;
        if (trim(line).empty()) {
            continue;
        }
        try {
            const nlohmann::json value = nlohmann::json::parse(line);
            if (!header_read) {
                slice_names = value.at("slice_names").get<std::vector<std::string>>();
                header_read = true;
                continue;
            }
            ExampleInfo info;
            info.id = value.at("id").get<std::string>();
            info.language = value.at("language").get<std::string>();
            info.cluster = value.at("cluster").get<std::string>();
            info.slices = value.at("slices").get<std::map<std::string, std::vector<std::string>>>();
            info.image_sha256 = value.at("image_sha256").get<std::vector<std::string>>();
            examples.push_back(std::move(info));
        } catch (const nlohmann::json::exception& e) {
            throw InputError(file_name + ": line " + std::to_string(line_number) + " is not a valid example index line (" +
                             e.what() + "); write the run's files again with this medvlm version");
        }
    }
    if (!header_read) {
        throw InputError(file_name + ": the example index is empty; write the run's files again with this medvlm "
                                     "version");
    }
    return ExampleIndex(std::move(examples), std::move(slice_names));
}

ExampleIndex build_example_index(const Dataset& dataset, Benchmark benchmark) {
    const auto definitions = slice_definitions(benchmark);
    const auto clusters = image_clusters(dataset.examples);
    std::vector<ExampleInfo> examples;
    for (size_t i = 0; i < dataset.examples.size(); ++i) {
        const Example& example = dataset.examples[i];
        ExampleInfo info{example.id, question_language(example), clusters[i], {}, {}};
        for (const auto& definition : definitions) {
            info.slices[definition.name] = definition.values(example);
        }
        for (const auto& image : example.images) {
            info.image_sha256.push_back(image.sha256);
        }
        examples.push_back(std::move(info));
    }
    std::vector<std::string> names;
    for (const auto& definition : definitions) {
        names.push_back(definition.name);
    }
    return ExampleIndex(std::move(examples), std::move(names));
}

}  // namespace medvlm
