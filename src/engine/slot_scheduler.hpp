#pragma once
// Which call a free sequence slot of the in-process engine takes next.
//
// Calls that share a long prefix (the rotations of one row and mode share
// everything up to the answer choices) should run one after another in one
// slot, which then evaluates the prefix once; unrelated calls should run in
// parallel in other slots. A free slot therefore takes, in this order:
//   1. the pending call sharing the most tokens with what the slot holds,
//      if that is at least kChainShare of the call's tokens;
//   2. the first pending call that no busy slot "claims" (shares at least
//      kChainShare of its tokens with a busy slot's current call, which
//      that slot will reuse once it is free);
//   3. nothing: the slot stays idle until a claiming slot takes the rest.
// Without the prefix cache, calls are taken in order.

#include <optional>
#include <vector>

#include "engine/prompt_pieces.hpp"

namespace medvlm {

inline constexpr double kChainShare = 0.5;

using ElementList = std::vector<PromptElement>;

// `pending` lists the waiting calls in plan order; `slot_content` is what
// the free slot's KV cache holds; `busy_calls` are the calls the other
// slots are running. Returns an index into `pending`, or nothing.
[[nodiscard]] std::optional<size_t> choose_next_call(const std::vector<const ElementList*>& pending,
                                                     const ElementList& slot_content,
                                                     const std::vector<const ElementList*>& busy_calls,
                                                     bool prefix_cache);

}  // namespace medvlm
