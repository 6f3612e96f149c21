// Which call a free sequence slot takes next.

#include <gtest/gtest.h>

#include <vector>

#include "engine/slot_scheduler.hpp"

namespace medvlm {
namespace {

// A prompt of `shared` tokens common to one group (ids from `group`), then
// `own` tokens of its own (ids from `own_first`).
ElementList prompt(int64_t group, size_t shared, int64_t own_first, size_t own) {
    ElementList elements;
    for (size_t i = 0; i < shared; ++i) {
        elements.push_back({group * 1000 + static_cast<int64_t>(i), 1, 1, PieceClass::Grid});
    }
    for (size_t i = 0; i < own; ++i) {
        elements.push_back({own_first + static_cast<int64_t>(i), 1, 1, PieceClass::Grid});
    }
    return elements;
}

std::vector<const ElementList*> pointers(const std::vector<ElementList>& lists) {
    std::vector<const ElementList*> result;
    for (const auto& list : lists) {
        result.push_back(&list);
    }
    return result;
}

// Two groups of three calls: each call shares 80 tokens with its group.
std::vector<ElementList> two_groups() {
    return {prompt(1, 80, 100, 20), prompt(1, 80, 200, 20), prompt(1, 80, 300, 20),
            prompt(2, 80, 400, 20), prompt(2, 80, 500, 20), prompt(2, 80, 600, 20)};
}

TEST(SlotScheduler, WithoutPrefixCacheTakesCallsInOrder) {
    const auto calls = two_groups();
    const ElementList holding = calls[4];
    EXPECT_EQ(choose_next_call(pointers(calls), holding, {}, false), 0u);
}

TEST(SlotScheduler, SlotContinuesItsGroup) {
    const auto calls = two_groups();
    // The slot holds the second group's first call; the next call of that
    // group shares 80 of its 100 tokens.
    const std::vector<ElementList> pending = {calls[1], calls[2], calls[4], calls[5]};
    EXPECT_EQ(choose_next_call(pointers(pending), calls[3], {}, true), 2u);
}

TEST(SlotScheduler, FreeSlotSkipsCallsClaimedByBusySlots) {
    const auto calls = two_groups();
    const std::vector<ElementList> pending = {calls[1], calls[2], calls[3], calls[4], calls[5]};
    // Another slot runs the first group's first call, so it claims the rest
    // of that group; the free slot starts the second group.
    const std::vector<const ElementList*> busy = {&calls[0]};
    EXPECT_EQ(choose_next_call(pointers(pending), {}, busy, true), 2u);
}

TEST(SlotScheduler, IdleWhenEveryCallIsClaimed) {
    const auto calls = two_groups();
    const std::vector<ElementList> pending = {calls[1], calls[2]};
    const std::vector<const ElementList*> busy = {&calls[0]};
    EXPECT_EQ(choose_next_call(pointers(pending), {}, busy, true), std::nullopt);
}

TEST(SlotScheduler, ShortSharedPrefixDoesNotChain) {
    // Calls that share only 10 of 100 tokens (a chat template's start) run
    // in parallel rather than one after another.
    const std::vector<ElementList> calls = {prompt(1, 10, 100, 90), prompt(1, 10, 200, 90), prompt(1, 10, 300, 90)};
    const std::vector<ElementList> pending = {calls[1], calls[2]};
    const std::vector<const ElementList*> busy = {&calls[0]};
    EXPECT_EQ(choose_next_call(pointers(pending), calls[0], busy, true), 0u);
}

TEST(SlotScheduler, ChainOnlyContinuesTheSlotsGroup) {
    const auto calls = two_groups();
    const std::vector<ElementList> pending = {calls[1], calls[2], calls[4], calls[5]};
    EXPECT_EQ(choose_next_call(pointers(pending), calls[3], {}, true, SlotChoice::ChainOnly), 2u);
}

TEST(SlotScheduler, ChainOnlyLeavesOtherGroupsAlone) {
    // The first group's calls are unclaimed (their slot is free too), but a
    // slot holding nothing related must not take them in this pass.
    const auto calls = two_groups();
    const std::vector<ElementList> pending = {calls[1], calls[2], calls[4], calls[5]};
    EXPECT_EQ(choose_next_call(pointers(pending), {}, {}, true, SlotChoice::ChainOnly), std::nullopt);
    EXPECT_EQ(choose_next_call(pointers(pending), {}, {}, true, SlotChoice::Any), 0u);
}

TEST(SlotScheduler, ChainOnlyWithoutPrefixCacheTakesNothing) {
    const auto calls = two_groups();
    EXPECT_EQ(choose_next_call(pointers(calls), calls[0], {}, false, SlotChoice::ChainOnly), std::nullopt);
}

TEST(SlotScheduler, NothingPending) {
    EXPECT_EQ(choose_next_call({}, {}, {}, true), std::nullopt);
}

}  // namespace
}  // namespace medvlm
