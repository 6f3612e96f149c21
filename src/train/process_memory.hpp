#pragma once
// Resident memory of this process, for progress logs, train.json and the
// benchmark. Linux reads /proc/self/status; elsewhere the values are 0.

#include <cstdint>

namespace medvlm {

struct ProcessMemory {
    int64_t resident_bytes = 0;  // VmRSS
    int64_t peak_bytes = 0;      // VmHWM: the most resident since start or the last reset
};

[[nodiscard]] ProcessMemory read_process_memory();

// Restarts the peak (VmHWM) from the current resident size, so a phase's
// peak can be measured alone. Returns false where the kernel does not allow
// it.
bool reset_peak_memory();

}  // namespace medvlm
