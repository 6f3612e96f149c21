#pragma once
// HTTP for the OpenAI-compatible engine: one libcurl easy handle per
// client, so each worker thread keeps its own connection alive.

#include <memory>
#include <string>

namespace medvlm {

struct HttpResponse {
    // False when no complete HTTP response arrived (connection refused or
    // reset, timeout, truncated body); `transport_error` then gives the reason.
    bool received = false;
    bool timed_out = false;
    std::string transport_error;
    long status = 0;
    std::string body;
    std::string retry_after;  // the Retry-After header, "" when absent
};

class HttpClient {
public:
    HttpClient();
    HttpClient(const HttpClient&) = delete;
    HttpClient& operator=(const HttpClient&) = delete;
    HttpClient(HttpClient&&) noexcept;
    ~HttpClient();

    // `bearer_token` empty: no Authorization header. The token never appears
    // in the returned errors. `timeout_s` bounds the whole exchange.
    [[nodiscard]] HttpResponse post_json(const std::string& url, const std::string& body,
                                         const std::string& bearer_token, double timeout_s);
    [[nodiscard]] HttpResponse get(const std::string& url, const std::string& bearer_token, double timeout_s);

private:
    struct Handle;
    [[nodiscard]] HttpResponse perform(const std::string& url, const std::string* body,
                                       const std::string& bearer_token, double timeout_s);
    std::unique_ptr<Handle> handle_;
};

}  // namespace medvlm
