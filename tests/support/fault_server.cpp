#include "support/fault_server.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cctype>
#include <stdexcept>

#include <nlohmann/json.hpp>

namespace medvlm::testing {
namespace {

std::string lower(std::string text) {
    for (char& c : text) {
        c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    }
    return text;
}

std::string reason_phrase(int status) {
    switch (status) {
        case 200: return "OK";
        case 400: return "Bad Request";
        case 401: return "Unauthorized";
        case 404: return "Not Found";
        case 429: return "Too Many Requests";
        case 500: return "Internal Server Error";
        case 502: return "Bad Gateway";
        case 503: return "Service Unavailable";
        default: return "Status";
    }
}

bool send_all(int fd, const std::string& data) {
    size_t sent = 0;
    while (sent < data.size()) {
        const ssize_t n = ::send(fd, data.data() + sent, data.size() - sent, MSG_NOSIGNAL);
        if (n <= 0) {
            return false;
        }
        sent += static_cast<size_t>(n);
    }
    return true;
}

std::string response_head(const FaultAction& action, size_t content_length) {
    std::string head = "HTTP/1.1 " + std::to_string(action.status) + " " + reason_phrase(action.status) + "\r\n";
    for (const auto& [name, value] : action.headers) {
        head += name + ": " + value + "\r\n";
    }
    head += "Content-Length: " + std::to_string(content_length) + "\r\n";
    head += "Connection: keep-alive\r\n\r\n";
    return head;
}

}  // namespace

FaultAction FaultAction::json(int status, const std::string& body) {
    FaultAction action;
    action.status = status;
    action.headers["Content-Type"] = "application/json";
    action.body = body;
    return action;
}

FaultAction FaultAction::status_with_body(int status, const std::string& body) {
    FaultAction action;
    action.status = status;
    action.headers["Content-Type"] = "text/plain";
    action.body = body;
    return action;
}

FaultAction FaultAction::stall() {
    FaultAction action;
    action.kind = Kind::Stall;
    return action;
}

FaultAction FaultAction::reset_mid_body(const std::string& body) {
    FaultAction action = json(200, body);
    action.kind = Kind::ResetMidBody;
    return action;
}

FaultServer::FaultServer(Handler handler) : handler_(std::move(handler)) {
    listen_fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (listen_fd_ < 0) {
        throw std::runtime_error("fault server: socket() failed");
    }
    const int one = 1;
    ::setsockopt(listen_fd_, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    address.sin_port = 0;
    if (::bind(listen_fd_, reinterpret_cast<sockaddr*>(&address), sizeof(address)) != 0 ||
        ::listen(listen_fd_, 64) != 0) {
        ::close(listen_fd_);
        throw std::runtime_error("fault server: cannot listen on 127.0.0.1");
    }
    socklen_t length = sizeof(address);
    ::getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&address), &length);
    port_ = ntohs(address.sin_port);
    acceptor_ = std::thread([this] { accept_loop(); });
}

FaultServer::~FaultServer() {
    stopping_ = true;
    ::shutdown(listen_fd_, SHUT_RDWR);
    ::close(listen_fd_);
    acceptor_.join();
    {
        std::lock_guard lock(mutex_);
        for (const int fd : client_fds_) {
            ::shutdown(fd, SHUT_RDWR);
        }
    }
    for (auto& connection : connections_) {
        connection.join();
    }
}

std::string FaultServer::base_url() const { return "http://127.0.0.1:" + std::to_string(port_) + "/v1"; }

std::vector<ReceivedRequest> FaultServer::requests() const {
    std::lock_guard lock(mutex_);
    return requests_;
}

std::vector<ReceivedRequest> FaultServer::chat_requests() const {
    std::vector<ReceivedRequest> chat;
    for (const auto& request : requests()) {
        if (request.method == "POST" && request.path == "/v1/chat/completions") {
            chat.push_back(request);
        }
    }
    return chat;
}

void FaultServer::accept_loop() {
    while (!stopping_) {
        pollfd poll_fd{listen_fd_, POLLIN, 0};
        if (::poll(&poll_fd, 1, 100) <= 0) {
            continue;
        }
        const int client = ::accept4(listen_fd_, nullptr, nullptr, SOCK_CLOEXEC);
        if (client < 0) {
            continue;
        }
        std::lock_guard lock(mutex_);
        client_fds_.push_back(client);
        connections_.emplace_back([this, client] { serve(client); });
    }
}

bool FaultServer::read_request(int client, std::string& buffer, ReceivedRequest& request) {
    char chunk[65536];
    size_t head_end = std::string::npos;
    while ((head_end = buffer.find("\r\n\r\n")) == std::string::npos) {
        const ssize_t n = ::recv(client, chunk, sizeof(chunk), 0);
        if (n <= 0) {
            return false;
        }
        buffer.append(chunk, static_cast<size_t>(n));
    }

    const std::string head = buffer.substr(0, head_end);
    size_t line_end = head.find("\r\n");
    const std::string request_line = head.substr(0, line_end);
    const size_t first_space = request_line.find(' ');
    const size_t second_space = request_line.find(' ', first_space + 1);
    request.method = request_line.substr(0, first_space);
    request.path = request_line.substr(first_space + 1, second_space - first_space - 1);
    while (line_end != std::string::npos && line_end < head.size()) {
        const size_t next = head.find("\r\n", line_end + 2);
        const std::string line = head.substr(line_end + 2, next == std::string::npos ? std::string::npos
                                                                                      : next - line_end - 2);
        const size_t colon = line.find(':');
        if (colon != std::string::npos) {
            std::string value = line.substr(colon + 1);
            value.erase(0, value.find_first_not_of(' '));
            request.headers[lower(line.substr(0, colon))] = value;
        }
        line_end = next;
    }

    size_t content_length = 0;
    if (const auto it = request.headers.find("content-length"); it != request.headers.end()) {
        content_length = std::stoul(it->second);
    }
    buffer.erase(0, head_end + 4);
    while (buffer.size() < content_length) {
        const ssize_t n = ::recv(client, chunk, sizeof(chunk), 0);
        if (n <= 0) {
            return false;
        }
        buffer.append(chunk, static_cast<size_t>(n));
    }
    request.body = buffer.substr(0, content_length);
    buffer.erase(0, content_length);
    return true;
}

void FaultServer::serve(int client) {
    std::string buffer;
    while (!stopping_) {
        ReceivedRequest request;
        if (!read_request(client, buffer, request)) {
            break;
        }
        request.arrived = std::chrono::steady_clock::now();
        {
            std::lock_guard lock(mutex_);
            request.index = requests_.size();
            requests_.push_back(request);
        }
        const FaultAction action = handler_(request);

        if (action.kind == FaultAction::Kind::Stall) {
            // Wait until the client closes the connection (its timeout) or
            // the server stops, without responding.
            char byte = 0;
            while (!stopping_) {
                pollfd poll_fd{client, POLLIN, 0};
                if (::poll(&poll_fd, 1, 100) > 0 && ::recv(client, &byte, 1, MSG_PEEK) <= 0) {
                    break;
                }
            }
            break;
        }
        if (action.kind == FaultAction::Kind::ResetMidBody) {
            (void)send_all(client, response_head(action, action.body.size()) + action.body.substr(0, action.body.size() / 2));
            // SO_LINGER with a zero timeout makes close() send a TCP reset.
            const linger reset{1, 0};
            ::setsockopt(client, SOL_SOCKET, SO_LINGER, &reset, sizeof(reset));
            break;
        }
        if (!send_all(client, response_head(action, action.body.size()) + action.body)) {
            break;
        }
    }
    std::lock_guard lock(mutex_);
    for (auto it = client_fds_.begin(); it != client_fds_.end(); ++it) {
        if (*it == client) {
            client_fds_.erase(it);
            break;
        }
    }
    ::close(client);
}

std::string chat_completion_json(const std::string& content, int prompt_tokens,
                                 const std::vector<std::pair<std::string, double>>& top_logprobs) {
    nlohmann::json choice = {
        {"index", 0},
        {"finish_reason", "stop"},
        {"message", {{"role", "assistant"}, {"content", content}}},
    };
    if (!top_logprobs.empty()) {
        nlohmann::json top = nlohmann::json::array();
        for (const auto& [token, logprob] : top_logprobs) {
            top.push_back({{"token", token}, {"logprob", logprob}, {"bytes", nlohmann::json::array()}});
        }
        nlohmann::json first_position = {{"token", top_logprobs.front().first},
                                         {"logprob", top_logprobs.front().second},
                                         {"top_logprobs", top}};
        choice["logprobs"] = {{"content", nlohmann::json::array({first_position})}};
    }
    const nlohmann::json response = {
        {"id", "chatcmpl-test"},
        {"object", "chat.completion"},
        {"model", "test-model"},
        {"choices", {choice}},
        {"usage", {{"prompt_tokens", prompt_tokens}, {"completion_tokens", 1}, {"total_tokens", prompt_tokens + 1}}},
    };
    return response.dump();
}

std::string models_json(const std::string& model) {
    return nlohmann::json({{"object", "list"}, {"data", {{{"id", model}, {"object", "model"}}}}}).dump();
}

}  // namespace medvlm::testing
