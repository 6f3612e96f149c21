#include "engine/openai_retry.hpp"

#include <curl/curl.h>

#include <algorithm>
#include <charconv>
#include <cmath>

#include "core/text.hpp"

namespace medvlm {

bool is_retryable(const HttpResponse& response) {
    if (!response.received) {
        return true;
    }
    return response.status == 429 || (response.status >= 500 && response.status <= 599);
}

std::optional<double> parse_retry_after(const std::string& value, int64_t now_unix_s) {
    const std::string text = trim(value);
    if (text.empty()) {
        return std::nullopt;
    }
    int64_t seconds = 0;
    const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), seconds);
    if (error == std::errc() && end == text.data() + text.size()) {
        return seconds >= 0 ? std::optional<double>(static_cast<double>(seconds)) : std::nullopt;
    }
    const time_t date = curl_getdate(text.c_str(), nullptr);
    if (date < 0) {
        return std::nullopt;
    }
    return std::max(0.0, static_cast<double>(static_cast<int64_t>(date) - now_unix_s));
}

double retry_delay_s(const RetryPolicy& policy, int retry, std::optional<double> retry_after_s, SplitMix64& random) {
    if (retry_after_s) {
        return std::min(*retry_after_s, policy.max_retry_after_s);
    }
    const double ceiling = std::min(policy.max_delay_s, policy.base_delay_s * std::ldexp(1.0, std::max(0, retry - 1)));
    return random.uniform() * ceiling;
}

}  // namespace medvlm
