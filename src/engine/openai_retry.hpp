#pragma once
// When and how long the OpenAI-compatible engine waits before retrying.
//
// Retried: no complete response (connection refused or reset, timeout,
// truncated body), HTTP 429 and every 5xx. Not retried: other statuses
// (400 for a prompt the server rejects, 401, 404, ...), whose reason is
// recorded for the call at once.
//
// The wait before retry k (k = 1, 2, ...) is drawn uniformly from
// [0, min(max_delay_s, base_delay_s * 2^(k-1))] ("full jitter"), so many
// workers that failed together do not retry together. A Retry-After header
// (seconds or an HTTP date) replaces that draw, up to max_retry_after_s.

#include <cstdint>
#include <optional>
#include <string>

#include "core/random.hpp"
#include "engine/openai_http.hpp"

namespace medvlm {

struct RetryPolicy {
    int max_attempts = 5;  // 1 + retries
    double base_delay_s = 0.5;
    double max_delay_s = 30.0;
    double max_retry_after_s = 300.0;
};

[[nodiscard]] bool is_retryable(const HttpResponse& response);

// Seconds a Retry-After value requests: delta-seconds ("120") or an HTTP
// date, measured from `now_unix_s`. nullopt when absent or unreadable.
[[nodiscard]] std::optional<double> parse_retry_after(const std::string& value, int64_t now_unix_s);

// The wait before retry `retry` (1 for the first retry).
[[nodiscard]] double retry_delay_s(const RetryPolicy& policy, int retry, std::optional<double> retry_after_s,
                                   SplitMix64& random);

}  // namespace medvlm
