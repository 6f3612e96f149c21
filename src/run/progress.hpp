#pragma once
// Progress of a run's calls: done/total, rate and ETA.
//
// On a terminal one status line on stderr is redrawn in place, at most
// five times a second. Otherwise (CI logs, files) a plain log line is
// written every `log_interval` and when the run ends. Calls stored by an
// earlier session count as done but not towards the rate.

#include <chrono>
#include <cstddef>
#include <string>

namespace medvlm {

class ProgressReporter {
public:
    using Clock = std::chrono::steady_clock;

    ProgressReporter(size_t total, size_t already_done, bool terminal,
                     Clock::duration log_interval = std::chrono::seconds(10));

    // `done` counts every committed call, `failed` those among them that failed.
    void update(size_t done, size_t failed);
    // Erases the status line so a log message can be written above it.
    void clear_line();
    void finish();

    // "1234/5000 calls (24.7 %), 3 failed, 2.41 calls/s, ETA 26m03s"
    [[nodiscard]] std::string describe(Clock::time_point now) const;

    // Stderr is a terminal.
    [[nodiscard]] static bool stderr_is_terminal();

private:
    size_t total_;
    size_t already_done_;
    size_t done_;
    size_t failed_ = 0;
    bool terminal_;
    bool line_drawn_ = false;
    Clock::duration log_interval_;
    Clock::time_point start_;
    Clock::time_point last_output_;
};

// "45s", "26m03s", "3h07m"; "unknown" for a negative or non-finite value.
[[nodiscard]] std::string format_duration(double seconds);

}  // namespace medvlm
