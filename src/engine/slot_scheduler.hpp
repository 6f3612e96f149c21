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
//
// When several slots are free at once, the engine lets each of them take
// step 1 (SlotChoice::ChainOnly) before any takes step 2. Otherwise a slot
// without a chain could take the next call of another free slot's chain,
// since a free slot claims nothing, and evaluate that chain's prefix again.

#include <optional>
#include <vector>

#include "engine/prompt_pieces.hpp"

namespace medvlm {

inline constexpr double kChainShare = 0.5;

using ElementList = std::vector<PromptElement>;

// The steps a slot may take: step 1 only, or steps 1 to 3.
enum class SlotChoice { ChainOnly, Any };

// `pending` lists the waiting calls in plan order; `slot_content` is what
// the free slot's KV cache holds; `busy_calls` are the calls the other
// slots are running. Returns an index into `pending`, or nothing.
[[nodiscard]] std::optional<size_t> choose_next_call(const std::vector<const ElementList*>& pending,
                                                     const ElementList& slot_content,
                                                     const std::vector<const ElementList*>& busy_calls,
                                                     bool prefix_cache, SlotChoice choice = SlotChoice::Any);

}  // namespace medvlm
