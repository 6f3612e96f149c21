#include "run/progress.hpp"

#include <unistd.h>

#include <cmath>
#include <cstdio>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

namespace medvlm {

std::string format_duration(double seconds) {
    if (!std::isfinite(seconds) || seconds < 0) {
        return "unknown";
    }
    const auto whole = static_cast<int64_t>(std::llround(seconds));
    if (whole < 60) {
        return fmt::format("{}s", whole);
    }
    if (whole < 3600) {
        return fmt::format("{}m{:02}s", whole / 60, whole % 60);
    }
    return fmt::format("{}h{:02}m", whole / 3600, (whole % 3600) / 60);
}

ProgressReporter::ProgressReporter(size_t total, size_t already_done, bool terminal, Clock::duration log_interval)
    : total_(total),
      already_done_(already_done),
      done_(already_done),
      terminal_(terminal),
      log_interval_(log_interval),
      start_(Clock::now()),
      last_output_(start_) {}

bool ProgressReporter::stderr_is_terminal() { return ::isatty(STDERR_FILENO) == 1; }

std::string ProgressReporter::describe(Clock::time_point now) const {
    const double seconds = std::chrono::duration<double>(now - start_).count();
    const auto session_done = static_cast<double>(done_ - already_done_);
    const double rate = seconds > 0 ? session_done / seconds : 0;
    const double percent = total_ == 0 ? 100.0 : 100.0 * static_cast<double>(done_) / static_cast<double>(total_);
    std::string eta = "unknown";
    if (done_ >= total_) {
        eta = "0s";
    } else if (rate > 0) {
        eta = format_duration(static_cast<double>(total_ - done_) / rate);
    }
    return fmt::format("{}/{} calls ({:.1f} %), {} failed, {:.2f} calls/s, ETA {}", done_, total_, percent, failed_,
                       rate, eta);
}

void ProgressReporter::update(size_t done, size_t failed) {
    done_ = done;
    failed_ = failed;
    const auto now = Clock::now();
    if (terminal_) {
        if (now - last_output_ < std::chrono::milliseconds(200) && done_ < total_) {
            return;
        }
        std::fprintf(stderr, "\r\033[K%s", describe(now).c_str());
        std::fflush(stderr);
        line_drawn_ = true;
    } else {
        if (now - last_output_ < log_interval_) {
            return;
        }
        spdlog::info("{}", describe(now));
    }
    last_output_ = now;
}

void ProgressReporter::clear_line() {
    if (terminal_ && line_drawn_) {
        std::fprintf(stderr, "\r\033[K");
        std::fflush(stderr);
        line_drawn_ = false;
    }
}

void ProgressReporter::finish() {
    clear_line();
    spdlog::info("{}", describe(Clock::now()));
}

}  // namespace medvlm
