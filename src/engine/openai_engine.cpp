#include "engine/openai_engine.hpp"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdlib>
#include <mutex>
#include <optional>
#include <random>
#include <thread>

#include <spdlog/spdlog.h>

#include "core/error.hpp"
#include "core/text.hpp"
#include "engine/openai_http.hpp"
#include "engine/openai_image.hpp"
#include "engine/openai_messages.hpp"

namespace medvlm {
namespace {

using Clock = std::chrono::steady_clock;

constexpr size_t kImageCacheBytes = 256u << 20;

double elapsed_ms(Clock::time_point start) {
    return std::chrono::duration<double, std::milli>(Clock::now() - start).count();
}

int64_t unix_now_s() {
    return std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch())
        .count();
}

std::string without_trailing_slash(std::string url) {
    while (!url.empty() && url.back() == '/') {
        url.pop_back();
    }
    return url;
}

// "http://user:secret@host/v1" -> "http://***@host/v1", for manifests and logs.
std::string without_credentials(const std::string& url) {
    const size_t scheme = url.find("://");
    if (scheme == std::string::npos) {
        return url;
    }
    const size_t host_start = scheme + 3;
    const size_t path_start = url.find('/', host_start);
    const size_t at = url.find('@', host_start);
    if (at == std::string::npos || (path_start != std::string::npos && at > path_start)) {
        return url;
    }
    return url.substr(0, host_start) + "***" + url.substr(at);
}

// Spreads attempts over the endpoints: the one with the fewest requests in
// flight, ties broken in turn, avoiding the endpoint that just failed when
// another exists.
class EndpointPool {
public:
    explicit EndpointPool(size_t count) : in_flight_(count, 0) {}

    size_t acquire(std::optional<size_t> avoid) {
        std::lock_guard lock(mutex_);
        const size_t count = in_flight_.size();
        std::optional<size_t> best;
        for (size_t step = 0; step < count; ++step) {
            const size_t candidate = (next_ + step) % count;
            if (count > 1 && avoid && *avoid == candidate) {
                continue;
            }
            if (!best || in_flight_[candidate] < in_flight_[*best]) {
                best = candidate;
            }
        }
        in_flight_[*best] += 1;
        next_ = (*best + 1) % count;
        return *best;
    }

    void release(size_t endpoint) {
        std::lock_guard lock(mutex_);
        in_flight_[endpoint] -= 1;
    }

private:
    std::mutex mutex_;
    std::vector<int> in_flight_;
    size_t next_ = 0;
};

class OpenAiEngine final : public Engine {
public:
    explicit OpenAiEngine(const OpenAiEngineOptions& options)
        : options_(options), pool_(options.endpoints.size()), images_(kImageCacheBytes) {
        validate_options();
        read_api_key();
        for (const auto& endpoint : options_.endpoints) {
            endpoints_.push_back(without_trailing_slash(endpoint));
        }
        for (const auto& endpoint : endpoints_) {
            check_endpoint(endpoint);
        }
    }

    [[nodiscard]] nlohmann::json describe() const override {
        return {
            {"kind", "openai"},
            {"api", "chat.completions"},
            {"model_name", options_.model_name},
            {"decoding", "temperature 0"},
            {"image_transport", "PNG of the decoded RGB pixels as a base64 data URL"},
            {"top_logprobs", kTopLogprobs},
            {"reports_image_tokens", false},
        };
    }

    [[nodiscard]] nlohmann::json describe_execution() const override {
        nlohmann::json endpoints = nlohmann::json::array();
        for (const auto& endpoint : endpoints_) {
            endpoints.push_back(without_credentials(endpoint));
        }
        return {
            {"endpoints", endpoints},
            {"concurrency", options_.concurrency},
            {"request_timeout_s", options_.request_timeout_s},
            {"max_attempts", options_.retry.max_attempts},
            {"api_key_env", options_.api_key_env},
            {"served_models", served_models_},
        };
    }

    [[nodiscard]] bool reports_image_tokens() const override { return false; }

    // Asks the first endpoint once for top_logprobs and caches the result.
    [[nodiscard]] bool supports_choice_logprob() const override {
        std::lock_guard lock(probe_mutex_);
        if (!logprob_support_) {
            logprob_support_ = probe_logprobs();
        }
        return *logprob_support_;
    }

    [[nodiscard]] EngineResult run(const EngineRequest& request) override { return run_batch({request}).front(); }

    [[nodiscard]] std::vector<EngineResult> run_batch(const std::vector<EngineRequest>& requests) override {
        std::vector<EngineResult> results(requests.size());
        const size_t workers = std::min(requests.size(), static_cast<size_t>(options_.concurrency));
        while (clients_.size() < workers) {
            clients_.emplace_back();
        }
        std::atomic<size_t> next{0};
        const auto work = [&](size_t worker) {
            SplitMix64 random(std::random_device{}());
            for (size_t i = next++; i < requests.size(); i = next++) {
                results[i] = call(clients_[worker], requests[i], random);
            }
        };
        std::vector<std::thread> threads;
        for (size_t worker = 1; worker < workers; ++worker) {
            threads.emplace_back(work, worker);
        }
        if (workers > 0) {
            work(0);
        }
        for (auto& thread : threads) {
            thread.join();
        }
        return results;
    }

    // Enough calls that every worker stays busy while a slow call finishes.
    [[nodiscard]] size_t preferred_batch_size() const override {
        return 4 * static_cast<size_t>(options_.concurrency);
    }

private:
    void validate_options() const {
        if (options_.endpoints.empty()) {
            throw InputError("--engine openai needs at least one --endpoint URL, such as http://127.0.0.1:8080/v1");
        }
        for (const auto& endpoint : options_.endpoints) {
            if (!starts_with_ci(endpoint, "http://") && !starts_with_ci(endpoint, "https://")) {
                throw InputError("--endpoint '" + without_credentials(endpoint) +
                                 "' is not an http:// or https:// URL");
            }
        }
        if (options_.model_name.empty()) {
            throw InputError("--engine openai needs --model-name, the model name the server expects");
        }
        if (options_.concurrency < 1) {
            throw InputError("--concurrency must be at least 1, not " + std::to_string(options_.concurrency));
        }
        if (!(options_.request_timeout_s > 0)) {
            throw InputError("--request-timeout must be a positive number of seconds");
        }
        if (options_.retry.max_attempts < 1) {
            throw InputError("--retries must be 0 or more");
        }
    }

    void read_api_key() {
        if (options_.api_key_env.empty()) {
            return;
        }
        const char* value = std::getenv(options_.api_key_env.c_str());
        if (value == nullptr || *value == '\0') {
            throw InputError("--api-key-env " + options_.api_key_env +
                             ": that environment variable is not set or empty; export the API key in it");
        }
        api_key_ = value;
    }

    // Removes the API key from any text that may reach a log, a manifest or
    // a stored error (a server could echo request headers back).
    [[nodiscard]] std::string redact(std::string text) const {
        if (api_key_.empty()) {
            return text;
        }
        for (size_t pos = text.find(api_key_); pos != std::string::npos; pos = text.find(api_key_, pos)) {
            text.replace(pos, api_key_.size(), "[API key]");
        }
        return text;
    }

    [[nodiscard]] std::string describe_failure(const HttpResponse& response) const {
        if (response.timed_out) {
            return "no complete response within " + fmt_seconds(options_.request_timeout_s) +
                   " s (--request-timeout)";
        }
        if (!response.received) {
            return "connection failed: " + response.transport_error;
        }
        return describe_http_error(response);
    }

    static std::string fmt_seconds(double seconds) {
        std::string text = std::to_string(seconds);
        text.erase(text.find_last_not_of('0') + 1);
        if (!text.empty() && text.back() == '.') {
            text.pop_back();
        }
        return text;
    }

    // GET with the retry policy of a call.
    [[nodiscard]] HttpResponse get_with_retries(const std::string& url) const {
        HttpClient client;
        SplitMix64 random(std::random_device{}());
        for (int attempt = 1;; ++attempt) {
            HttpResponse response = client.get(url, api_key_, options_.request_timeout_s);
            if ((response.received && response.status < 300) || !is_retryable(response) ||
                attempt >= options_.retry.max_attempts) {
                return response;
            }

            const double delay = retry_delay_s(options_.retry, attempt,
                                               parse_retry_after(response.retry_after, unix_now_s()), random);
            spdlog::warn("{}: {}; retrying in {:.1f} s", without_credentials(url), redact(describe_failure(response)),
                         delay);
            std::this_thread::sleep_for(std::chrono::duration<double>(delay));
        }
    }

    // GET /models. An endpoint that cannot be reached or rejects the key
    // makes every call fail, so the engine is not created.
    void check_endpoint(const std::string& endpoint) {
        const std::string shown = without_credentials(endpoint);
        const HttpResponse response = get_with_retries(endpoint + "/models");

        if (!response.received) {
            throw EngineError(shown + ": the server cannot be reached (" + redact(describe_failure(response)) +
                              "); check --endpoint and that the server is running");
        }
        if (response.status >= 500) {
            throw EngineError(shown + ": GET /models failed (" + redact(describe_failure(response)) +
                              "); check that the server has finished loading the model");
        }
        if (response.status == 401 || response.status == 403) {
            throw EngineError(shown + ": the server rejected the request (" + redact(describe_failure(response)) +
                              "); check the key in --api-key-env");
        }
        if (response.status >= 300) {
            spdlog::warn("{}: GET /models failed ({}); continuing without the list of served models", shown,
                         redact(describe_failure(response)));
            return;
        }

        nlohmann::json ids = nlohmann::json::array();
        try {
            const auto value = nlohmann::json::parse(response.body);
            for (const auto& model : value.at("data")) {
                ids.push_back(model.at("id"));
            }
        } catch (const nlohmann::json::exception&) {
            spdlog::warn("{}: GET /models returned no readable model list", shown);
        }
        if (!ids.empty() && std::find(ids.begin(), ids.end(), options_.model_name) == ids.end()) {
            spdlog::warn("{}: --model-name '{}' is not among the served models {}; servers that host one model "
                         "usually ignore the name",
                         shown, options_.model_name, ids.dump());
        }
        served_models_[shown] = ids;
    }

    [[nodiscard]] bool probe_logprobs() const {
        EngineRequest probe;
        probe.user_text = "Answer with one letter, A or B.";
        probe.scoring = Scoring::ChoiceLogprob;
        probe.choice_letters = {"A", "B"};
        const std::string body = build_chat_request(probe, {}, options_.model_name).dump();
        HttpClient client;
        const HttpResponse response =
            client.post_json(endpoints_.front() + "/chat/completions", body, api_key_, options_.request_timeout_s);
        if (!response.received || response.status >= 300) {
            throw EngineError(without_credentials(endpoints_.front()) + ": the log-probability check failed (" +
                              redact(describe_failure(response)) + ")");
        }
        try {
            const auto value = nlohmann::json::parse(response.body);
            const auto& first = value.at("choices").at(0).at("logprobs").at("content").at(0);
            return first.at("top_logprobs").is_array() && !first.at("top_logprobs").empty();
        } catch (const nlohmann::json::exception&) {
            return false;
        }
    }

    EngineResult call(HttpClient& client, const EngineRequest& request, SplitMix64& random) {
        const auto start = Clock::now();
        EngineResult result;
        std::string body;
        try {
            std::vector<std::string> urls;
            for (const auto& image : request.images) {
                urls.push_back(images_.get(image.sha256, image.path, options_.image_limits));
            }
            body = build_chat_request(request, urls, options_.model_name).dump();
        } catch (const std::exception& e) {
            result.ok = false;
            result.error = redact(e.what());
            result.total_ms = elapsed_ms(start);
            return result;
        }

        std::optional<size_t> failed_endpoint;
        std::string failure;
        int attempt = 1;
        for (;; ++attempt) {
            const size_t endpoint = pool_.acquire(failed_endpoint);
            const std::string url = endpoints_[endpoint] + "/chat/completions";
            HttpResponse response = client.post_json(url, body, api_key_, options_.request_timeout_s);
            pool_.release(endpoint);

            if (response.received && response.status >= 200 && response.status < 300) {
                try {
                    parse_chat_response(response.body, request, result);
                } catch (const std::exception& e) {
                    result.ok = false;
                    result.error = std::string("the response could not be read: ") + e.what();
                }
                if (!result.ok) {
                    result.error = redact(without_credentials(endpoints_[endpoint]) + ": " + result.error);
                }
                result.total_ms = elapsed_ms(start);
                return result;
            }

            failure = redact(without_credentials(endpoints_[endpoint]) + ": " + describe_failure(response));
            failed_endpoint = endpoint;
            if (!is_retryable(response) || attempt >= options_.retry.max_attempts) {
                break;
            }
            const double delay = retry_delay_s(options_.retry, attempt,
                                               parse_retry_after(response.retry_after, unix_now_s()), random);
            spdlog::warn("{}; retry {} of {} in {:.1f} s", failure, attempt, options_.retry.max_attempts - 1, delay);
            std::this_thread::sleep_for(std::chrono::duration<double>(delay));
        }
        result = EngineResult{};
        result.ok = false;
        result.error = failure + " (" + std::to_string(attempt) + (attempt == 1 ? " attempt)" : " attempts)");
        result.total_ms = elapsed_ms(start);
        return result;
    }

    OpenAiEngineOptions options_;
    std::vector<std::string> endpoints_;
    std::string api_key_;
    nlohmann::json served_models_ = nlohmann::json::object();
    EndpointPool pool_;
    ImageUrlCache images_;
    std::vector<HttpClient> clients_;
    mutable std::mutex probe_mutex_;
    mutable std::optional<bool> logprob_support_;
};

}  // namespace

std::unique_ptr<Engine> make_openai_engine(const OpenAiEngineOptions& options) {
    return std::make_unique<OpenAiEngine>(options);
}

}  // namespace medvlm
