#include "engine/slot_scheduler.hpp"

#include <numeric>

namespace medvlm {
namespace {

int64_t total_tokens(const ElementList& prompt) {
    return std::accumulate(prompt.begin(), prompt.end(), int64_t{0},
                           [](int64_t sum, const PromptElement& element) { return sum + element.n_tokens; });
}

bool shares_chain(const ElementList& call, const ElementList& other) {
    const int64_t tokens = total_tokens(call);
    return tokens > 0 && static_cast<double>(shared_prefix_tokens(call, other)) >= kChainShare * static_cast<double>(tokens);
}

}  // namespace

std::optional<size_t> choose_next_call(const std::vector<const ElementList*>& pending, const ElementList& slot_content,
                                       const std::vector<const ElementList*>& busy_calls, bool prefix_cache,
                                       SlotChoice choice) {
    if (pending.empty()) {
        return std::nullopt;
    }
    if (!prefix_cache) {
        // Without reuse there are no chains: calls go in plan order.
        return choice == SlotChoice::Any ? std::optional<size_t>(0) : std::nullopt;
    }

    size_t best = 0;
    int64_t best_shared = -1;
    for (size_t i = 0; i < pending.size(); ++i) {
        const int64_t shared = shared_prefix_tokens(*pending[i], slot_content);
        if (shared > best_shared) {
            best = i;
            best_shared = shared;
        }
    }
    if (shares_chain(*pending[best], slot_content)) {
        return best;
    }
    if (choice == SlotChoice::ChainOnly) {
        return std::nullopt;
    }

    for (size_t i = 0; i < pending.size(); ++i) {
        bool claimed = false;
        for (const ElementList* busy : busy_calls) {
            if (shares_chain(*pending[i], *busy)) {
                claimed = true;
                break;
            }
        }
        if (!claimed) {
            return i;
        }
    }
    return std::nullopt;
}

}  // namespace medvlm
