#include "engine/openai_http.hpp"

#include <curl/curl.h>

#include <algorithm>
#include <mutex>

#include "core/error.hpp"
#include "core/text.hpp"

namespace medvlm {
namespace {

void init_curl_once() {
    static std::once_flag once;
    std::call_once(once, [] {
        if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
            throw EngineError("libcurl failed to initialize");
        }
    });
}

size_t append_body(char* data, size_t size, size_t count, void* user_data) {
    static_cast<std::string*>(user_data)->append(data, size * count);
    return size * count;
}

size_t read_header(char* data, size_t size, size_t count, void* user_data) {
    const std::string_view line(data, size * count);
    constexpr std::string_view kName = "retry-after:";
    if (starts_with_ci(line, kName)) {
        *static_cast<std::string*>(user_data) = trim(line.substr(kName.size()));
    }
    return size * count;
}

struct HeaderList {
    curl_slist* list = nullptr;
    ~HeaderList() { curl_slist_free_all(list); }
    void add(const std::string& header) {
        curl_slist* extended = curl_slist_append(list, header.c_str());
        if (extended == nullptr) {
            throw EngineError("libcurl ran out of memory building request headers");
        }
        list = extended;
    }
};

}  // namespace

struct HttpClient::Handle {
    CURL* curl = nullptr;
    ~Handle() { curl_easy_cleanup(curl); }
};

HttpClient::HttpClient() : handle_(std::make_unique<Handle>()) {
    init_curl_once();
    handle_->curl = curl_easy_init();
    if (handle_->curl == nullptr) {
        throw EngineError("libcurl could not create an HTTP handle");
    }
}

HttpClient::HttpClient(HttpClient&&) noexcept = default;
HttpClient::~HttpClient() = default;

HttpResponse HttpClient::post_json(const std::string& url, const std::string& body, const std::string& bearer_token,
                                   double timeout_s) {
    return perform(url, &body, bearer_token, timeout_s);
}

HttpResponse HttpClient::get(const std::string& url, const std::string& bearer_token, double timeout_s) {
    return perform(url, nullptr, bearer_token, timeout_s);
}

HttpResponse HttpClient::perform(const std::string& url, const std::string* body, const std::string& bearer_token,
                                 double timeout_s) {
    CURL* curl = handle_->curl;
    HttpResponse response;
    HeaderList headers;
    headers.add("Accept: application/json");
    if (body != nullptr) {
        headers.add("Content-Type: application/json");
    }
    if (!bearer_token.empty()) {
        headers.add("Authorization: Bearer " + bearer_token);
    }
    const auto timeout_ms = static_cast<long>(std::max(1.0, timeout_s * 1000.0));
    char error_buffer[CURL_ERROR_SIZE] = {0};

    curl_easy_setopt(curl, CURLOPT_URL, url.c_str());
    curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers.list);
    curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);  // required with several threads
    curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, timeout_ms);
    curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT_MS, std::min(timeout_ms, 30'000L));
    curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, error_buffer);
    curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, append_body);
    curl_easy_setopt(curl, CURLOPT_WRITEDATA, &response.body);
    curl_easy_setopt(curl, CURLOPT_HEADERFUNCTION, read_header);
    curl_easy_setopt(curl, CURLOPT_HEADERDATA, &response.retry_after);
    curl_easy_setopt(curl, CURLOPT_ACCEPT_ENCODING, "");
    if (body != nullptr) {
        curl_easy_setopt(curl, CURLOPT_POST, 1L);
        curl_easy_setopt(curl, CURLOPT_POSTFIELDS, body->data());
        curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(body->size()));
    }

    const CURLcode code = curl_easy_perform(curl);
    long status = 0;
    curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &status);
    // The handle outlives this call (it keeps the connection open) but the
    // header list, error buffer and response strings do not: drop every
    // pointer to them before returning.
    curl_easy_reset(curl);
    if (code != CURLE_OK) {
        response.timed_out = code == CURLE_OPERATION_TIMEDOUT;
        response.transport_error = error_buffer[0] != '\0' ? std::string(error_buffer) : curl_easy_strerror(code);
        response.body.clear();
        return response;
    }
    response.status = status;
    response.received = true;
    return response;
}

}  // namespace medvlm
