#include "report/interpretation.hpp"

#include <algorithm>

#include <fmt/format.h>

#include "prompts/mode.hpp"
#include "report/markdown_format.hpp"

namespace medvlm {
namespace {

const std::string kImageText = mode_name(AblationMode::ImageText);
const std::string kTextOnly = mode_name(AblationMode::TextOnly);
const std::string kShuffled = mode_name(AblationMode::ShuffledImage);
const std::string kOptionsOnly = mode_name(AblationMode::OptionsOnly);

class Writer {
public:
    explicit Writer(const InterpretationInput& input) : input_(input) {}

    // A finding that rests on the comparisons, so it names their basis.
    void add(const std::string& subject, const std::string& finding, const std::string& sentence) {
        findings_.push_back({subject, finding, sentence + " (" + input_.basis + ")."});
    }

    // A fact about the run itself, true whatever the comparisons.
    void add_caveat(const std::string& finding, const std::string& sentence) {
        findings_.push_back({"run", finding, sentence + "."});
    }

    // "image+text (40.0 %, 95 % CI 35.2-44.9 %)"
    [[nodiscard]] std::string score(const std::string& mode) const {
        const auto interval = input_.score_intervals.find(mode);
        if (interval == input_.score_intervals.end()) {
            return fmt::format("{} ({})", mode, percent(input_.scores.at(mode)));
        }
        return fmt::format("{} ({}, 95 % CI {})", mode, percent(input_.scores.at(mode)),
                           interval_text(interval->second.to_json()));
    }

    // "image+text (...) against text-only (...): difference +10.0 pts (95 % CI +5.1 to +14.9 pts)"
    [[nodiscard]] std::string pair(const std::string& first, const std::string& second,
                                   const DecidedDifference& difference) const {
        std::string text = score(first) + " against " + score(second) + ": difference " + points_text(difference.delta);
        if (difference.interval) {
            text += " (95 % CI " + difference_interval_text(difference.interval->to_json()) + ")";
        } else {
            text += " (no interval could be computed)";
        }
        return text;
    }

    [[nodiscard]] std::string band() const {
        return fmt::format("random {}, best constant letter {}", percent(input_.random_baseline),
                           percent(input_.constant_letter_baseline));
    }

    [[nodiscard]] bool above_chance(const std::string& mode) const {
        const auto it = input_.versus_chance.find(mode);
        return it != input_.versus_chance.end() && it->second == Ordering::Higher;
    }

    std::vector<Interpretation> take() { return std::move(findings_); }

private:
    const InterpretationInput& input_;
    std::vector<Interpretation> findings_;
};

void interpret_chance(const InterpretationInput& input, Writer& out) {
    for (const auto& mode : input.modes) {
        const auto it = input.versus_chance.find(mode);
        if (it == input.versus_chance.end() || !input.scores.contains(mode)) {
            continue;
        }
        switch (it->second) {
            case Ordering::Higher:
                out.add(mode, "above the chance band",
                        out.score(mode) + " is above the chance band (" + out.band() + ") with its whole interval");
                break;
            case Ordering::AboutEqual:
                out.add(mode, "within the chance band",
                        out.score(mode) + " has an interval that reaches the chance band (" + out.band() +
                            "), so it is not a result beyond chance");
                break;
            case Ordering::Lower:
                out.add(mode, "below chance",
                        out.score(mode) + " is below the chance band (" + out.band() +
                            ") with its whole interval, so it is not a result beyond chance");
                break;
        }
    }
}

void interpret_image_gain(const InterpretationInput& input, Writer& out) {
    if (!input.image_text_vs_text_only || !input.scores.contains(kImageText) || !input.scores.contains(kTextOnly)) {
        return;
    }
    const std::string pair = out.pair(kImageText, kTextOnly, *input.image_text_vs_text_only);
    if (input.stand_in_images) {
        out.add(kImageText, "no claim: stand-in images",
                pair + ": the images are generated stand-ins, so the comparison says nothing about the real images");
        return;
    }
    switch (input.image_text_vs_text_only->ordering) {
        case Ordering::Higher:
            if (out.above_chance(kImageText)) {
                out.add(kImageText, "images likely help",
                        pair + ": the interval lies above 0, so images likely help");
            } else {
                out.add(kImageText, "no claim: image+text within the chance band",
                        pair + ": image+text is higher but not above the chance band, so this is no evidence that "
                               "images help");
            }
            break;
        case Ordering::AboutEqual:
            out.add(kImageText, "no evidence that images help",
                    pair + ": no clear difference (the interval contains 0), so no evidence that images help");
            break;
        case Ordering::Lower:
            out.add(kImageText, "no evidence that images help",
                    pair + ": image+text is lower, so no evidence that images help");
            break;
    }
}

void interpret_shuffled_gap(const InterpretationInput& input, Writer& out) {
    if (!input.image_text_vs_shuffled || !input.scores.contains(kImageText) || !input.scores.contains(kShuffled)) {
        return;
    }
    const std::string pair = out.pair(kImageText, kShuffled, *input.image_text_vs_shuffled);
    if (input.stand_in_images) {
        out.add(kShuffled, "no claim: stand-in images",
                pair + ": the images are generated stand-ins, so the comparison says nothing about the real images");
        return;
    }
    switch (input.image_text_vs_shuffled->ordering) {
        case Ordering::Higher:
            if (out.above_chance(kImageText)) {
                out.add(kShuffled, "correct images matter",
                        pair + ": image+text is higher than with another row's images, so correct images matter");
            } else {
                out.add(kShuffled, "no claim: image+text within the chance band",
                        pair + ": image+text is higher but not above the chance band, so this is no evidence that "
                               "correct images matter");
            }
            break;
        case Ordering::AboutEqual:
            out.add(kShuffled, "model may not use image content",
                    pair + ": no clear difference with another row's images, so the model may not use image content");
            break;
        case Ordering::Lower:
            out.add(kShuffled, "model may not use image content",
                    pair + ": another row's images score higher, so the model may not use image content");
            break;
    }
}

void interpret_run(const InterpretationInput& input, Writer& out) {
    if (out.above_chance(kOptionsOnly) && input.scores.contains(kOptionsOnly)) {
        out.add(kOptionsOnly, "answer-choice priors exist",
                out.score(kOptionsOnly) + " is above the chance band without the question, so answer-choice priors "
                                          "exist");
    }

    const bool any_scored = std::any_of(input.modes.begin(), input.modes.end(),
                                        [&](const std::string& mode) { return input.versus_chance.contains(mode); });
    const bool any_above = std::any_of(input.modes.begin(), input.modes.end(),
                                       [&](const std::string& mode) { return out.above_chance(mode); });
    if (any_scored && !any_above) {
        out.add("run", "model is not solving the benchmark",
                "No mode scores above the chance band (" + out.band() + "), so the model is not solving the benchmark");
    }
    if (input.stand_in_images) {
        out.add_caveat("stand-in images",
                       "The images are generated stand-ins named as the records name them, so image modes test the "
                       "pipeline and no score tells anything about the real images");
    }
    if (input.test_model) {
        out.add_caveat("test model", "The model is a random-weight test model, so every score is noise");
    }
}

std::optional<DecidedDifference> decided(const nlohmann::json& comparison) {
    if (comparison.is_null() || comparison.at("pairs").get<int64_t>() == 0) {
        return std::nullopt;
    }
    DecidedDifference difference;
    difference.delta = comparison.at("delta").get<double>();
    if (!comparison.at("ci95").is_null()) {
        difference.interval = Interval::from_json(comparison.at("ci95"));
        difference.ordering = decide_difference(*difference.interval);
    }
    return difference;
}

}  // namespace

std::string ordering_name(Ordering ordering) {
    switch (ordering) {
        case Ordering::Higher: return "higher";
        case Ordering::AboutEqual: return "about equal";
        case Ordering::Lower: return "lower";
    }
    return "unknown";
}

Ordering decide_difference(const Interval& interval) {
    if (interval.lower > 0) {
        return Ordering::Higher;
    }
    if (interval.upper < 0) {
        return Ordering::Lower;
    }
    return Ordering::AboutEqual;
}

std::string difference_meaning(Ordering ordering) {
    switch (ordering) {
        case Ordering::Higher: return "higher";
        case Ordering::Lower: return "lower";
        case Ordering::AboutEqual: break;
    }
    return "no clear difference";
}

Ordering decide_versus_band(const Interval& interval, double band_lower, double band_upper) {
    if (interval.lower > band_upper) {
        return Ordering::Higher;
    }
    if (interval.upper < band_lower) {
        return Ordering::Lower;
    }
    return Ordering::AboutEqual;
}

nlohmann::json Interpretation::to_json() const {
    return {{"subject", subject}, {"finding", finding}, {"statement", statement}};
}

std::vector<Interpretation> interpret_multiple_choice(const InterpretationInput& input) {
    Writer out(input);
    interpret_chance(input, out);
    interpret_image_gain(input, out);
    interpret_shuffled_gap(input, out);
    interpret_run(input, out);
    return out.take();
}

InterpretationInput decide_multiple_choice_comparisons(const std::vector<std::string>& modes,
                                                       const nlohmann::json& results, const nlohmann::json& comparisons,
                                                       bool stand_in_images, bool test_model,
                                                       const std::string& basis) {
    InterpretationInput input;
    input.basis = basis;
    input.modes = modes;
    input.stand_in_images = stand_in_images;
    input.test_model = test_model;

    // One chance band for the run: the highest constant-letter baseline of
    // any mode, so no mode is compared with a lower bar than another.
    for (const auto& mode : modes) {
        const auto& result = results.at(mode);
        if (result.at("n").get<int64_t>() == 0) {
            continue;
        }
        const auto& baselines = result.at("baselines");
        input.scores[mode] = result.at("accuracy").get<double>();
        if (!result.at("ci95").is_null()) {
            input.score_intervals[mode] = Interval::from_json(result.at("ci95"));
        }
        input.random_baseline = baselines.at("random").get<double>();
        input.constant_letter_baseline = std::max(
            input.constant_letter_baseline, baselines.at("best_constant_letter").at("accuracy").get<double>());
    }

    const double band_lower = std::min(input.random_baseline, input.constant_letter_baseline);
    const double band_upper = std::max(input.random_baseline, input.constant_letter_baseline);
    for (const auto& [mode, interval] : input.score_intervals) {
        input.versus_chance[mode] = decide_versus_band(interval, band_lower, band_upper);
    }

    if (input.scores.contains(kImageText) && input.scores.contains(kTextOnly)) {
        input.image_text_vs_text_only = decided(comparisons.at("image_gain"));
    }
    if (input.scores.contains(kImageText) && input.scores.contains(kShuffled)) {
        input.image_text_vs_shuffled = decided(comparisons.at("shuffled_image_gap"));
    }
    return input;
}

}  // namespace medvlm
