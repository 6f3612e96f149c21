#pragma once
// The delta table of the reports: one row per paired comparison, with
// Comparison | Delta | 95 % CI | p (McNemar) | Meaning. The Meaning follows
// the interval alone: "no clear difference" whenever it contains 0,
// whatever the sign of the delta.

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace medvlm {

struct DeltaRow {
    std::string comparison;  // the exact comparison, such as "B minus A: image+text, en, exact_match"
    std::string minuend;     // the side a positive delta favours, such as "run B" or "image+text"
    std::string subtrahend;
    bool proportion = true;  // a difference of proportions (points) rather than of means
    nlohmann::json paired;   // a paired_json() object
};

// "no clear difference", "<minuend> higher" or "<minuend> lower", from the
// object's decision.
[[nodiscard]] std::string delta_meaning(const DeltaRow& row);

// "+6.0 pts" for proportions, "+0.012" for means.
[[nodiscard]] std::string delta_text(const DeltaRow& row);

// "+1.0 to +11.0 pts" (or "-0.010 to +0.030"); "n/a" without an interval.
[[nodiscard]] std::string delta_interval_text(const DeltaRow& row);

// "0.031", "<0.001" or "n/a" when the McNemar test does not apply.
[[nodiscard]] std::string mcnemar_text(const nlohmann::json& paired);

// The Markdown table with a header row; rows without pairs show "no pairs".
[[nodiscard]] std::string render_delta_table(const std::vector<DeltaRow>& rows);

// True when the row's interval excludes 0, so a claim may name it.
[[nodiscard]] bool delta_is_clear(const DeltaRow& row);

// One sentence naming the comparison exactly, for the model card, such as
// "run B is higher than run A on B minus A: image+text, en, exact_match:
// +6.0 pts (95 % CI +1.0 to +11.0 pts, paired cluster bootstrap over images;
// exact McNemar p = 0.031)". Only for rows where delta_is_clear().
[[nodiscard]] std::string superiority_claim(const DeltaRow& row);

}  // namespace medvlm
