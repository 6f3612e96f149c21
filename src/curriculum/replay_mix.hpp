#pragma once
// Stage 4, mixed replay: samples drawn from stages 1-3 and from the
// instruction pool in set proportions, so later training keeps the
// earlier skills and general instruction following.

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "curriculum/training_sample.hpp"

namespace medvlm {

// Pool names: stage1, stage2, stage3, instruction.
struct ReplayMix {
    std::map<std::string, double> proportions = {
        {"stage1", 0.2}, {"stage2", 0.4}, {"stage3", 0.2}, {"instruction", 0.2}};
};

// Parses "stage1=0.2,stage2=0.4,stage3=0.2,instruction=0.2". Pools left
// out get 0; the values are weights and need not sum to 1. Throws
// InputError on unknown pools, negative weights or an all-zero mix.
[[nodiscard]] ReplayMix parse_replay_mix(std::string_view text);

struct ReplayPlan {
    // The weights renormalized over the non-empty pools.
    std::map<std::string, double> effective_proportions;
    std::map<std::string, size_t> quotas;  // samples drawn per pool
    size_t size = 0;
    std::string empty_reason;  // why stage 4 is empty; "" otherwise
};

// Plans stage 4 from the pool sizes. `requested_size` 0 takes the largest
// size that draws no pool sample twice. Stage 4 is empty, with the reason,
// when no instruction samples exist, because replay without general
// instruction data would only repeat stages 1-3. Throws InputError when a
// requested size would need more samples than a pool holds.
[[nodiscard]] ReplayPlan plan_replay(const ReplayMix& mix, const std::map<std::string, size_t>& pool_sizes,
                                     size_t requested_size);

// Draws each pool's quota without replacement (seeded), marks the samples
// as stage 4 replays and shuffles the result.
[[nodiscard]] std::vector<TrainingSample> draw_replay(const ReplayPlan& plan,
                                                      const std::map<std::string, std::vector<TrainingSample>>& pools,
                                                      uint64_t seed);

[[nodiscard]] nlohmann::ordered_json replay_plan_json(const ReplayPlan& plan);

}  // namespace medvlm
