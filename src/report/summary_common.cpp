#include "report/summary_common.hpp"

namespace medvlm {

double share(int64_t part, int64_t whole) {
    return whole == 0 ? 0.0 : static_cast<double>(part) / static_cast<double>(whole);
}

}  // namespace medvlm
