#pragma once
// A small HTTP/1.1 server on 127.0.0.1 for testing the OpenAI-compatible
// engine against faults a real server produces: error statuses, 429 with
// Retry-After, a response that never comes, a connection reset in the
// middle of the body, invalid JSON, an empty choices list.
//
// A handler decides what to do with each request; every request is
// recorded with the time it arrived. Connections are kept alive, as
// libcurl reuses them.
//
//   FaultServer server([](const ReceivedRequest& request) {
//       return request.index == 0 ? FaultAction::status(500, "busy") : FaultAction::json(200, reply);
//   });
//   std::string url = server.base_url();  // "http://127.0.0.1:PORT/v1"

#include <atomic>
#include <chrono>
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace medvlm::testing {

struct ReceivedRequest {
    size_t index = 0;  // 0 for the first request the server received
    std::string method;
    std::string path;
    std::map<std::string, std::string> headers;  // names in lower case
    std::string body;
    std::chrono::steady_clock::time_point arrived;
};

struct FaultAction {
    enum class Kind {
        Respond,           // status, headers and body
        Stall,             // read the request, never answer, until the client gives up
        ResetMidBody,      // announce the full body, send part of it, then reset the connection
    };
    Kind kind = Kind::Respond;
    int status = 200;
    std::map<std::string, std::string> headers;
    std::string body;

    [[nodiscard]] static FaultAction json(int status, const std::string& body);
    [[nodiscard]] static FaultAction status_with_body(int status, const std::string& body);
    [[nodiscard]] static FaultAction stall();
    [[nodiscard]] static FaultAction reset_mid_body(const std::string& body);
};

class FaultServer {
public:
    using Handler = std::function<FaultAction(const ReceivedRequest&)>;

    explicit FaultServer(Handler handler);
    FaultServer(const FaultServer&) = delete;
    FaultServer& operator=(const FaultServer&) = delete;
    ~FaultServer();

    [[nodiscard]] int port() const { return port_; }
    [[nodiscard]] std::string base_url() const;
    // Requests received so far (GET /v1/models included).
    [[nodiscard]] std::vector<ReceivedRequest> requests() const;
    // Only the POST /v1/chat/completions requests.
    [[nodiscard]] std::vector<ReceivedRequest> chat_requests() const;

private:
    void accept_loop();
    void serve(int client);
    [[nodiscard]] bool read_request(int client, std::string& buffer, ReceivedRequest& request);

    Handler handler_;
    int listen_fd_ = -1;
    int port_ = 0;
    std::atomic<bool> stopping_{false};
    std::thread acceptor_;
    mutable std::mutex mutex_;
    std::vector<std::thread> connections_;
    std::vector<int> client_fds_;
    std::vector<ReceivedRequest> requests_;
};

// A chat-completions response as llama-server writes it, with `content`,
// usage.prompt_tokens and, when given, top_logprobs for the first token.
[[nodiscard]] std::string chat_completion_json(const std::string& content, int prompt_tokens,
                                               const std::vector<std::pair<std::string, double>>& top_logprobs = {});

// The response to GET /v1/models listing one model.
[[nodiscard]] std::string models_json(const std::string& model);

}  // namespace medvlm::testing
