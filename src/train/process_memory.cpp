#include "train/process_memory.hpp"

#include <fstream>
#include <sstream>
#include <string>

namespace medvlm {

ProcessMemory read_process_memory() {
    ProcessMemory memory;
    std::ifstream status("/proc/self/status");
    std::string line;
    while (std::getline(status, line)) {
        std::istringstream fields(line);
        std::string key;
        int64_t kilobytes = 0;
        fields >> key >> kilobytes;
        if (key == "VmRSS:") {
            memory.resident_bytes = kilobytes * 1024;
        } else if (key == "VmHWM:") {
            memory.peak_bytes = kilobytes * 1024;
        }
    }
    return memory;
}

bool reset_peak_memory() {
    // Writing 5 to clear_refs resets the peak resident size (Linux 4.0 and
    // later, proc(5)).
    std::ofstream clear_refs("/proc/self/clear_refs");
    clear_refs << "5";
    return static_cast<bool>(clear_refs);
}

}  // namespace medvlm
