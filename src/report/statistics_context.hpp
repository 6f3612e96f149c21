#pragma once
// How the intervals of a summary or a comparison are computed: the bootstrap
// settings, and whether questions are resampled alone or together with the
// other questions on their images.
//
// With --resampling auto (the default) questions are resampled by image
// cluster exactly when several questions share an image, as on SLAKE
// (1,061 English test questions on 96 images) and VQA-RAD; a proportion
// then gets a cluster bootstrap interval instead of a Wilson interval,
// because Wilson assumes independent questions. The choice and its reason
// are written into summary.json and comparison.json ("statistics").

#include <map>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "report/example_index.hpp"
#include "stats/bootstrap.hpp"

namespace medvlm {

enum class ResamplingChoice { Auto, Question, Image };

// "auto", "question" or "image"; throws InputError for anything else.
[[nodiscard]] ResamplingChoice parse_resampling_choice(const std::string& name);
[[nodiscard]] std::string resampling_choice_name(ResamplingChoice choice);

struct StatisticsSettings {
    BootstrapOptions bootstrap;
    ResamplingChoice resampling = ResamplingChoice::Auto;
};

class StatisticsContext {
public:
    StatisticsContext(const ExampleIndex& index, const StatisticsSettings& settings);

    [[nodiscard]] bool by_image() const { return by_image_; }
    [[nodiscard]] const BootstrapOptions& bootstrap() const { return settings_.bootstrap; }
    [[nodiscard]] double level() const { return settings_.bootstrap.level; }

    // Resampling labels for observations from these example ids: their image
    // clusters when resampling by image; otherwise the ids when some id
    // repeats (the rotations of one question stay together); otherwise empty,
    // so every observation is resampled alone. Throws Error for an id the
    // index does not contain.
    [[nodiscard]] std::vector<std::string> clusters_for(const std::vector<std::string>& ids) const;

    // What one resampled unit is, for a group of observations: "image",
    // "question (all rotations together)" or "question".
    [[nodiscard]] std::string unit_for(const std::vector<std::string>& ids) const;

    // The "statistics" section: settings, the chosen unit and the reason.
    [[nodiscard]] nlohmann::json to_json() const;

    // One clause for reports, such as "cluster bootstrap over 12 images,
    // 10,000 resamples, seed 0".
    [[nodiscard]] std::string describe() const;

private:
    StatisticsSettings settings_;
    std::map<std::string, std::string> cluster_of_;
    size_t questions_ = 0;
    size_t clusters_ = 0;
    bool by_image_ = false;
};

}  // namespace medvlm
