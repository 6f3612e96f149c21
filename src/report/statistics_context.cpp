#include "report/statistics_context.hpp"

#include <set>

#include <fmt/format.h>

#include "core/error.hpp"

namespace medvlm {

ResamplingChoice parse_resampling_choice(const std::string& name) {
    if (name == "auto") {
        return ResamplingChoice::Auto;
    }
    if (name == "question") {
        return ResamplingChoice::Question;
    }
    if (name == "image") {
        return ResamplingChoice::Image;
    }
    throw InputError("invalid resampling unit '" + name + "'; use auto, question or image");
}

std::string resampling_choice_name(ResamplingChoice choice) {
    switch (choice) {
        case ResamplingChoice::Auto: return "auto";
        case ResamplingChoice::Question: return "question";
        case ResamplingChoice::Image: return "image";
    }
    return "auto";
}

StatisticsContext::StatisticsContext(const ExampleIndex& index, const StatisticsSettings& settings)
    : settings_(settings) {
    for (const auto& example : index.examples()) {
        cluster_of_[example.id] = example.cluster;
    }
    questions_ = index.examples().size();
    clusters_ = index.cluster_count();
    switch (settings.resampling) {
        case ResamplingChoice::Auto: by_image_ = clusters_ < questions_; break;
        case ResamplingChoice::Question: by_image_ = false; break;
        case ResamplingChoice::Image: by_image_ = true; break;
    }
}

std::vector<std::string> StatisticsContext::clusters_for(const std::vector<std::string>& ids) const {
    if (by_image_) {
        std::vector<std::string> clusters;
        clusters.reserve(ids.size());
        for (const auto& id : ids) {
            const auto it = cluster_of_.find(id);
            if (it == cluster_of_.end()) {
                throw Error("example id '" + id + "' has no image cluster in the example index");
            }
            clusters.push_back(it->second);
        }
        return clusters;
    }
    const std::set<std::string> distinct(ids.begin(), ids.end());
    return distinct.size() == ids.size() ? std::vector<std::string>{} : ids;
}

std::string StatisticsContext::unit_for(const std::vector<std::string>& ids) const {
    if (by_image_) {
        return "image";
    }
    const std::set<std::string> distinct(ids.begin(), ids.end());
    return distinct.size() == ids.size() ? "question" : "question (all rotations together)";
}

nlohmann::json StatisticsContext::to_json() const {
    std::string reason;
    if (settings_.resampling != ResamplingChoice::Auto) {
        reason = "chosen with --resampling " + resampling_choice_name(settings_.resampling);
    } else if (by_image_) {
        reason = fmt::format("{} questions share {} images, so questions on one image are not independent", questions_,
                             clusters_);
    } else {
        reason = "no two questions share an image";
    }
    return {
        {"level", settings_.bootstrap.level},
        {"bootstrap_resamples", settings_.bootstrap.resamples},
        {"bootstrap_seed", settings_.bootstrap.seed},
        {"resampling_requested", resampling_choice_name(settings_.resampling)},
        {"resampling_unit", by_image_ ? "image" : "question"},
        {"reason", reason},
        {"questions", questions_},
        {"image_clusters", clusters_},
        {"proportion_interval", by_image_ ? "cluster bootstrap" : "wilson"},
        {"mean_interval", by_image_ ? "cluster bootstrap" : "bootstrap"},
        {"difference_interval", by_image_ ? "paired cluster bootstrap" : "paired bootstrap"},
        {"difference_test",
         "exact McNemar on the discordant pairs, for right/wrong metrics with one pair per question; it treats "
         "questions as independent"},
    };
}

std::string StatisticsContext::describe() const {
    const std::string resamples = fmt::format("{} resamples, seed {}", settings_.bootstrap.resamples,
                                              settings_.bootstrap.seed);
    if (by_image_) {
        return fmt::format("cluster bootstrap over {} images ({} questions), {}", clusters_, questions_, resamples);
    }
    return "Wilson score intervals for proportions, bootstrap over questions for means and differences, " + resamples;
}

}  // namespace medvlm
