#pragma once
// What a pattern of multiple-choice scores over the ablation modes does and
// does not support, in words, and the rules that decide a comparison from
// its interval.
//
// Every decision comes from a 95 % interval, never from a point estimate:
//   - a difference is "higher" only when its whole interval is above 0,
//     "lower" only when it is below 0, and otherwise "no clear difference",
//     whatever the sign of the estimate (decide_difference);
//   - a score is above the chance band only when its whole interval is
//     above both the random and the best-constant-letter baselines, and
//     below it only when its whole interval is below both
//     (decide_versus_band).
// interpret_multiple_choice() contains the wording rules and takes the
// comparisons already decided; decide_multiple_choice_comparisons() decides
// them from summary.json's per-mode objects and paired comparisons.

#include <map>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "stats/proportion.hpp"

namespace medvlm {

enum class Ordering { Higher, AboutEqual, Lower };

[[nodiscard]] std::string ordering_name(Ordering ordering);

// Higher when the interval lies above 0, Lower when below, else AboutEqual.
[[nodiscard]] Ordering decide_difference(const Interval& interval);

// "higher", "lower" or "no clear difference": the Meaning of a difference.
[[nodiscard]] std::string difference_meaning(Ordering ordering);

// Higher when the interval lies above the band [band_lower, band_upper],
// Lower when below, else AboutEqual (it overlaps the band).
[[nodiscard]] Ordering decide_versus_band(const Interval& interval, double band_lower, double band_upper);

// A comparison of two modes, decided from the interval of their paired
// difference.
struct DecidedDifference {
    Ordering ordering = Ordering::AboutEqual;
    double delta = 0;                // minuend minus subtrahend
    std::optional<Interval> interval;  // absent when none could be computed
};

struct InterpretationInput {
    // The basis of the comparisons, repeated in every statement so no
    // sentence can be quoted without it.
    std::string basis;
    std::vector<std::string> modes;        // evaluated modes, in run order
    std::map<std::string, double> scores;  // mode -> score (accuracy)
    std::map<std::string, Interval> score_intervals;
    double random_baseline = 0;
    double constant_letter_baseline = 0;
    // Each mode's score against the chance band between the random and the
    // best-constant-letter baselines: Higher is above the band, AboutEqual
    // overlapping it, Lower below it.
    std::map<std::string, Ordering> versus_chance;
    // image+text minus text-only and image+text minus shuffled-image, when
    // both modes of the pair ran.
    std::optional<DecidedDifference> image_text_vs_text_only;
    std::optional<DecidedDifference> image_text_vs_shuffled;
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
//   - shuffled-image with no clear difference from (or above) image+text:
//     "model may not use image content";
//   - options-only above the chance band: "answer-choice priors exist";
//   - no mode above the chance band: "model is not solving the benchmark";
//   - a score overlapping (or below) the chance band is never called a
//     result beyond chance, and no image claim rests on an image+text score
//     that is not above the band;
//   - with stand-in images no claim about images is made at all.
[[nodiscard]] std::vector<Interpretation> interpret_multiple_choice(const InterpretationInput& input);

// Decides the comparisons from the per-mode objects of summary.json (each
// mode's "n", "accuracy", "ci95" and "baselines") and its "comparisons"
// ({"image_gain", "shuffled_image_gap"}, each a paired_json() object or
// null). `modes` lists the modes in run order; modes without an answered
// call or without an interval get no score. `basis` names the intervals.
[[nodiscard]] InterpretationInput decide_multiple_choice_comparisons(const std::vector<std::string>& modes,
                                                                     const nlohmann::json& results,
                                                                     const nlohmann::json& comparisons,
                                                                     bool stand_in_images, bool test_model,
                                                                     const std::string& basis);

}  // namespace medvlm
