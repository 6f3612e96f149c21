#pragma once
// summary.json "work": what a run's calls cost against the least the run
// needs (each distinct image chunk encoded once, each distinct prompt
// prefix evaluated once), from the engine's per-call work counters.
//
// The minimum is counted by the engine over the calls it ran: a run split
// over sessions (resumed, or sharded and merged) counts a prefix shared
// across sessions once per session, and a call that was retried counts
// only its last attempt.

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "run/prediction.hpp"

namespace medvlm {

// True when the manifest's engine counts its work ("counts_work": true, as
// the in-process engine does).
[[nodiscard]] bool engine_counts_work(const nlohmann::json& manifest);

// {"counted_by_engine", "calls", "image_encodes", "image_encodes_minimum",
//  "prompt_tokens", "prompt_tokens_evaluated", "prompt_tokens_reused",
//  "prompt_tokens_minimum", "image_encodes_over_minimum",
//  "prompt_tokens_evaluated_over_minimum"}; the ratios are null when the
// minimum is 0 or the engine does not count its work.
[[nodiscard]] nlohmann::json summarize_work(const nlohmann::json& manifest, const std::vector<Prediction>& predictions);

// The report's "Work" section.
[[nodiscard]] std::string render_work_section(const nlohmann::json& work);

}  // namespace medvlm
