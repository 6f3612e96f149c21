#pragma once
// What a pattern of multiple-choice scores over the ablation modes does and
// does not support, in words.
//
// interpret_multiple_choice() contains every rule and takes the comparisons
// already decided (higher, about equal, lower), so the way they are decided
// can change without touching the rules. compare_point_estimates() decides
// them from point estimates alone; a builder based on confidence intervals
// and paired tests is meant to replace it.

#include <map>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace medvlm {

enum class Ordering { Higher, AboutEqual, Lower };

[[nodiscard]] std::string ordering_name(Ordering ordering);

struct InterpretationInput {
    // The basis of the comparisons (point estimates, intervals, ...),
    // repeated in every statement so no sentence can be quoted without it.
    std::string basis;
    std::vector<std::string> modes;        // evaluated modes, in run order
    std::map<std::string, double> scores;  // mode -> score (accuracy)
    double random_baseline = 0;
    double constant_letter_baseline = 0;
    // Each mode's score against the chance band between the random and the
    // best-constant-letter baselines: Higher is above the band, AboutEqual
    // inside or near it, Lower below it.
    std::map<std::string, Ordering> versus_chance;
    // image+text compared with text-only and with shuffled-image, when both
    // modes of the pair ran.
    std::optional<Ordering> image_text_vs_text_only;
    std::optional<Ordering> image_text_vs_shuffled;
    bool stand_in_images = false;
    bool test_model = false;
};

struct Interpretation {
    std::string subject;    // the mode the finding belongs to, or "run"
    std::string finding;    // a fixed phrase such as "images likely help"
    std::string statement;  // one sentence with the numbers and the basis

    [[nodiscard]] nlohmann::json to_json() const;
};

// Applies the rules:
//   - image+text higher than text-only: "images likely help";
//   - image+text higher than shuffled-image: "correct images matter";
//   - shuffled-image about equal to (or above) image+text: "model may not
//     use image content";
//   - options-only above the chance band: "answer-choice priors exist";
//   - no mode above the chance band: "model is not solving the benchmark";
//   - a score inside (or below) the chance band is never called a result
//     beyond chance, and no image claim rests on an image+text score that
//     is not above the band;
//   - with stand-in images no claim about images is made at all.
[[nodiscard]] std::vector<Interpretation> interpret_multiple_choice(const InterpretationInput& input);

// Two point estimates closer than this are "about equal", and a score within
// this distance of the chance band counts as inside it.
// NOTE: a fixed 1 percentage point, chosen without a statistical basis. It
// takes the place of the paired tests and intervals that should decide
// these comparisons.
inline constexpr double kPointEstimateTolerance = 0.01;

inline constexpr const char* kPointEstimateBasis = "point estimates only, no confidence intervals or paired tests yet";

// Decides the comparisons from the per-mode objects of summary.json
// (each mode's "n", "accuracy" and "baselines"); `modes` lists the modes in
// run order. Modes without an answered call get no score.
[[nodiscard]] InterpretationInput compare_point_estimates(const std::vector<std::string>& modes,
                                                          const nlohmann::json& results, bool stand_in_images,
                                                          bool test_model,
                                                          double tolerance = kPointEstimateTolerance);

}  // namespace medvlm
