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

Ordering compare_values(double first, double second, double tolerance) {
    if (first - second > tolerance) {
        return Ordering::Higher;
    }
    if (second - first > tolerance) {
        return Ordering::Lower;
    }
    return Ordering::AboutEqual;
}

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

    [[nodiscard]] std::string score(const std::string& mode) const {
        return fmt::format("{} ({})", mode, percent(input_.scores.at(mode)));
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
                out.add(mode, "above the chance band", out.score(mode) + " is above the chance band (" + out.band() + ")");
                break;
            case Ordering::AboutEqual:
                out.add(mode, "within the chance band",
                        out.score(mode) + " is within the chance band (" + out.band() +
                            "), so it is not a result beyond chance");
                break;
            case Ordering::Lower:
                out.add(mode, "below chance",
                        out.score(mode) + " is below the chance band (" + out.band() +
                            "), so it is not a result beyond chance");
                break;
        }
    }
}

void interpret_image_gain(const InterpretationInput& input, Writer& out) {
    if (!input.image_text_vs_text_only || !input.scores.contains(kImageText) || !input.scores.contains(kTextOnly)) {
        return;
    }
    const std::string pair = out.score(kImageText) + " against " + out.score(kTextOnly);
    if (input.stand_in_images) {
        out.add(kImageText, "no claim: stand-in images",
                pair + ": the images are generated stand-ins, so the comparison says nothing about the real images");
        return;
    }
    switch (*input.image_text_vs_text_only) {
        case Ordering::Higher:
            if (out.above_chance(kImageText)) {
                out.add(kImageText, "images likely help", pair + ": image+text is higher, so images likely help");
            } else {
                out.add(kImageText, "no claim: image+text within the chance band",
                        pair + ": image+text is higher but not above the chance band, so this is no evidence that "
                               "images help");
            }
            break;
        case Ordering::AboutEqual:
            out.add(kImageText, "no evidence that images help", pair + ": about equal, so no evidence that images help");
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
    const std::string pair = out.score(kImageText) + " against " + out.score(kShuffled);
    if (input.stand_in_images) {
        out.add(kShuffled, "no claim: stand-in images",
                pair + ": the images are generated stand-ins, so the comparison says nothing about the real images");
        return;
    }
    switch (*input.image_text_vs_shuffled) {
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
                    pair + ": about equal with another row's images, so the model may not use image content");
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

}  // namespace

std::string ordering_name(Ordering ordering) {
    switch (ordering) {
        case Ordering::Higher: return "higher";
        case Ordering::AboutEqual: return "about equal";
        case Ordering::Lower: return "lower";
    }
    return "unknown";
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

InterpretationInput compare_point_estimates(const std::vector<std::string>& modes, const nlohmann::json& results,
                                            bool stand_in_images, bool test_model, double tolerance) {
    InterpretationInput input;
    input.basis = kPointEstimateBasis;
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
        input.random_baseline = baselines.at("random").get<double>();
        input.constant_letter_baseline = std::max(
            input.constant_letter_baseline, baselines.at("best_constant_letter").at("accuracy").get<double>());
    }

    const double band_lower = std::min(input.random_baseline, input.constant_letter_baseline);
    const double band_upper = std::max(input.random_baseline, input.constant_letter_baseline);
    for (const auto& [mode, score] : input.scores) {
        if (score > band_upper + tolerance) {
            input.versus_chance[mode] = Ordering::Higher;
        } else if (score < band_lower - tolerance) {
            input.versus_chance[mode] = Ordering::Lower;
        } else {
            input.versus_chance[mode] = Ordering::AboutEqual;
        }
    }

    const auto compare_modes = [&](const std::string& first, const std::string& second) -> std::optional<Ordering> {
        if (!input.scores.contains(first) || !input.scores.contains(second)) {
            return std::nullopt;
        }
        return compare_values(input.scores.at(first), input.scores.at(second), tolerance);
    };
    input.image_text_vs_text_only = compare_modes(kImageText, kTextOnly);
    input.image_text_vs_shuffled = compare_modes(kImageText, kShuffled);
    return input;
}

}  // namespace medvlm
