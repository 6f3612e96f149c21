#include "report/summary_common.hpp"

#include "stats/proportion.hpp"

namespace medvlm {

double share(int64_t part, int64_t whole) {
    return whole == 0 ? 0.0 : static_cast<double>(part) / static_cast<double>(whole);
}

nlohmann::json proportion_json(int64_t successes, int64_t trials) {
    return {{"n", trials},
            {"correct", successes},
            {"value", share(successes, trials)},
            {"ci95", wilson_ci(successes, trials).to_json()}};
}

}  // namespace medvlm
