#include "curriculum/replay_mix.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>
#include <set>

#include <fmt/format.h>

#include "core/error.hpp"
#include "core/random.hpp"
#include "core/text.hpp"

namespace medvlm {
namespace {

const std::vector<std::string>& pool_names() {
    static const std::vector<std::string> names = {"stage1", "stage2", "stage3", "instruction"};
    return names;
}

// Largest-remainder rounding of size x proportion, so the quotas add up to size.
std::map<std::string, size_t> round_quotas(const std::map<std::string, double>& proportions, size_t size) {
    std::map<std::string, size_t> quotas;
    std::vector<std::pair<double, std::string>> remainders;
    size_t assigned = 0;
    for (const auto& [pool, proportion] : proportions) {
        const double exact = proportion * static_cast<double>(size);
        quotas[pool] = static_cast<size_t>(std::floor(exact));
        assigned += quotas[pool];
        remainders.emplace_back(exact - std::floor(exact), pool);
    }
    std::sort(remainders.begin(), remainders.end(), [](const auto& a, const auto& b) {
        return a.first != b.first ? a.first > b.first : a.second < b.second;
    });
    for (size_t i = 0; assigned < size && i < remainders.size(); ++i, ++assigned) {
        ++quotas[remainders[i].second];
    }
    return quotas;
}

}  // namespace

ReplayMix parse_replay_mix(std::string_view text) {
    ReplayMix mix;
    mix.proportions.clear();
    for (const auto& name : pool_names()) {
        mix.proportions[name] = 0.0;
    }
    std::set<std::string> seen;
    for (const auto& item : split(text, ',')) {
        const size_t equals = item.find('=');
        const std::string pool = trim(item.substr(0, equals));
        if (equals == std::string::npos || std::find(pool_names().begin(), pool_names().end(), pool) == pool_names().end()) {
            throw InputError("--mix item '" + item + "' must be POOL=WEIGHT with POOL one of stage1, stage2, stage3, "
                             "instruction (for example stage1=0.2,stage2=0.4,stage3=0.2,instruction=0.2)");
        }
        if (!seen.insert(pool).second) {
            throw InputError("--mix names pool '" + pool + "' twice");
        }
        const std::string value = trim(item.substr(equals + 1));
        double weight = 0.0;
        size_t used = 0;
        try {
            weight = std::stod(value, &used);
        } catch (const std::exception&) {
            used = 0;
        }
        if (used != value.size() || value.empty() || !(weight >= 0.0) || std::isinf(weight)) {
            throw InputError("--mix weight of '" + pool + "' must be a non-negative number, not '" + value + "'");
        }
        mix.proportions[pool] = weight;
    }
    double total = 0.0;
    for (const auto& [pool, weight] : mix.proportions) {
        total += weight;
    }
    if (total <= 0.0) {
        throw InputError("--mix gives every pool weight 0; at least one must be positive");
    }
    return mix;
}

ReplayPlan plan_replay(const ReplayMix& mix, const std::map<std::string, size_t>& pool_sizes, size_t requested_size) {
    ReplayPlan plan;
    const auto size_of = [&](const std::string& pool) {
        const auto it = pool_sizes.find(pool);
        return it == pool_sizes.end() ? size_t{0} : it->second;
    };
    if (size_of("instruction") == 0) {
        plan.empty_reason = "no instruction samples: pass --from benchmark=instruction,data=FILE[,images=DIR] to "
                            "mix general instruction data into the replay";
        return plan;
    }
    const auto weight_of = [&](const std::string& pool) {
        const auto it = mix.proportions.find(pool);
        return it == mix.proportions.end() ? 0.0 : it->second;
    };
    if (weight_of("instruction") <= 0.0) {
        plan.empty_reason = "--mix gives the instruction pool weight 0";
        return plan;
    }

    double total = 0.0;
    for (const auto& pool : pool_names()) {
        if (size_of(pool) > 0) {
            total += weight_of(pool);
        }
    }
    for (const auto& pool : pool_names()) {
        if (size_of(pool) > 0 && weight_of(pool) > 0.0) {
            plan.effective_proportions[pool] = weight_of(pool) / total;
        }
    }

    // The largest size at which no pool is asked for more than it holds.
    size_t largest = std::numeric_limits<size_t>::max();
    for (const auto& [pool, proportion] : plan.effective_proportions) {
        // The epsilon keeps rounding error from costing one sample.
        largest = std::min(largest, static_cast<size_t>(std::floor(static_cast<double>(size_of(pool)) / proportion + 1e-9)));
    }
    plan.size = requested_size == 0 ? largest : requested_size;
    plan.quotas = round_quotas(plan.effective_proportions, plan.size);
    for (const auto& [pool, quota] : plan.quotas) {
        if (quota > size_of(pool)) {
            throw InputError(fmt::format("--replay-size {} needs {} samples from {} (proportion {:.3f}) but the pool "
                                         "holds {}; use --replay-size {} or less, or change --mix",
                                         plan.size, quota, pool, plan.effective_proportions.at(pool), size_of(pool),
                                         largest));
        }
    }
    return plan;
}

std::vector<TrainingSample> draw_replay(const ReplayPlan& plan,
                                        const std::map<std::string, std::vector<TrainingSample>>& pools,
                                        uint64_t seed) {
    SplitMix64 random(seed);
    std::vector<TrainingSample> drawn;
    for (const auto& [pool, quota] : plan.quotas) {
        const auto& samples = pools.at(pool);
        // A partial Fisher-Yates shuffle picks `quota` distinct samples.
        std::vector<size_t> order(samples.size());
        std::iota(order.begin(), order.end(), size_t{0});
        for (size_t i = 0; i < quota; ++i) {
            const size_t j = i + static_cast<size_t>(random.below(order.size() - i));
            std::swap(order[i], order[j]);
            TrainingSample sample = samples[order[i]];
            sample.replay_of_stage = sample.stage == 4 ? 0 : sample.stage;
            sample.stage = 4;
            sample.id = "replay:" + sample.id;
            drawn.push_back(std::move(sample));
        }
    }
    for (size_t i = drawn.size(); i > 1; --i) {
        std::swap(drawn[i - 1], drawn[static_cast<size_t>(random.below(i))]);
    }
    return drawn;
}

nlohmann::ordered_json replay_plan_json(const ReplayPlan& plan) {
    nlohmann::ordered_json json = {{"size", plan.size}, {"effective_proportions", plan.effective_proportions},
                           {"samples_per_pool", plan.quotas}};
    if (!plan.empty_reason.empty()) {
        json["empty_reason"] = plan.empty_reason;
    }
    return json;
}

}  // namespace medvlm
