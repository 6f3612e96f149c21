#include "engine/openai_messages.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <map>

#include "core/json_depth.hpp"
#include "core/text.hpp"

namespace medvlm {
namespace {

// Adds the top tokens' probabilities per option letter; false when the
// response has no top_logprobs at the first position.
bool read_choice_logprobs(const nlohmann::json& choice, const EngineRequest& request, EngineResult& result,
                          std::string& reason) {
    const auto logprobs = choice.find("logprobs");
    if (logprobs == choice.end() || !logprobs->is_object() || !logprobs->contains("content") ||
        !logprobs->at("content").is_array() || logprobs->at("content").empty()) {
        reason = "the response has no logprobs.content; the server does not return log-probabilities";
        return false;
    }
    const auto& first = logprobs->at("content").at(0);
    if (!first.contains("top_logprobs") || !first.at("top_logprobs").is_array() ||
        first.at("top_logprobs").empty()) {
        reason = "the response has no top_logprobs; the server does not return the top tokens' log-probabilities";
        return false;
    }

    // Log-probabilities of the tokens of each letter ("X" and " X"), summed
    // as probabilities with log-sum-exp: exp() of a log-probability below
    // about -745 is 0 in double precision, and log(0) would give -inf.
    std::map<std::string, std::vector<double>> token_logprobs;
    for (const auto& entry : first.at("top_logprobs")) {
        if (!entry.is_object() || !entry.contains("token") || !entry.at("token").is_string() ||
            !entry.contains("logprob") || !entry.at("logprob").is_number()) {
            reason = "a top_logprobs entry lacks its token or logprob: " + excerpt(entry.dump());
            return false;
        }
        const double logprob = entry.at("logprob").get<double>();
        if (logprob > 0) {
            reason = "a top_logprobs entry has a positive log-probability " + std::to_string(logprob) +
                     ", which no probability has: " + excerpt(entry.dump());
            return false;
        }
        const std::string token = entry.at("token").get<std::string>();
        for (const auto& letter : request.choice_letters) {
            if (token == letter || token == " " + letter) {
                token_logprobs[letter].push_back(logprob);
            }
        }
    }
    if (token_logprobs.empty()) {
        reason = "none of the option letters is among the " + std::to_string(first.at("top_logprobs").size()) +
                 " most likely first tokens";
        return false;
    }
    std::string best;
    for (const auto& [letter, logprobs] : token_logprobs) {
        const double max_logprob = *std::max_element(logprobs.begin(), logprobs.end());
        double scaled_sum = 0;
        for (const double logprob : logprobs) {
            scaled_sum += std::exp(logprob - max_logprob);
        }
        const double letter_logprob = max_logprob + std::log(scaled_sum);
        result.choice_logprobs[letter] = letter_logprob;
        if (best.empty() || letter_logprob > result.choice_logprobs.at(best)) {
            best = letter;
        }
    }
    result.text = best;
    return true;
}

// The "error" member of an OpenAI-style error body ({"error": {"message":
// ...}}), or "" when the body is not such JSON.
std::string error_message_of(const std::string& body) {
    if (json_nesting_depth(body) > kMaxJsonDepth) {
        return "";
    }
    try {
        const auto value = nlohmann::json::parse(body);
        if (!value.is_object() || !value.contains("error")) {
            return "";
        }
        const auto& error = value.at("error");
        return error.is_object() && error.contains("message") && error.at("message").is_string()
                   ? error.at("message").get<std::string>()
                   : error.dump();
    } catch (const nlohmann::json::exception&) {
        return "";
    }
}

// A non-negative integer that fits int64_t; nlohmann reads 2^64 - 1 as an
// unsigned integer, which would turn negative in an int64_t.
bool is_token_count(const nlohmann::json& value) {
    if (value.is_number_unsigned()) {
        return value.get<uint64_t>() <= static_cast<uint64_t>(std::numeric_limits<int64_t>::max());
    }
    return value.is_number_integer() && value.get<int64_t>() >= 0;
}

void fail(EngineResult& result, const std::string& reason) {
    result.ok = false;
    result.error = reason;
}

}  // namespace

nlohmann::json build_chat_request(const EngineRequest& request, const std::vector<std::string>& image_urls,
                                  const std::string& model_name) {
    nlohmann::json messages = nlohmann::json::array();
    if (!request.system.empty()) {
        messages.push_back({{"role", "system"}, {"content", request.system}});
    }
    nlohmann::json content = nlohmann::json::array();
    for (const auto& url : image_urls) {
        content.push_back({{"type", "image_url"}, {"image_url", {{"url", url}}}});
    }
    content.push_back({{"type", "text"}, {"text", request.user_text}});
    messages.push_back({{"role", "user"}, {"content", content}});

    nlohmann::json body = {
        {"model", model_name},
        {"messages", messages},
        {"temperature", 0},
        {"stream", false},
    };
    if (!request.assistant_prefix.empty()) {
        body["messages"].push_back({{"role", "assistant"}, {"content", request.assistant_prefix}});
        body["continue_final_message"] = true;
        body["add_generation_prompt"] = false;
    }
    if (request.scoring == Scoring::ChoiceLogprob) {
        body["max_tokens"] = 1;
        body["logprobs"] = true;
        body["top_logprobs"] = kTopLogprobs;
    } else {
        body["max_tokens"] = request.max_new_tokens;
    }
    return body;
}

void parse_chat_response(const std::string& body, const EngineRequest& request, EngineResult& result) {
    if (const size_t depth = json_nesting_depth(body); depth > kMaxJsonDepth) {
        fail(result, "the response " + json_too_deep_message(depth));
        return;
    }
    nlohmann::json value;
    try {
        value = nlohmann::json::parse(body);
    } catch (const nlohmann::json::exception&) {
        fail(result, "the response is not valid JSON: " + excerpt(sanitize_utf8(body)));
        return;
    }
    if (!value.is_object() || !value.contains("choices") || !value.at("choices").is_array()) {
        fail(result, "the response has no choices list: " + excerpt(value.dump()));
        return;
    }
    if (value.at("choices").empty()) {
        fail(result, "the response's choices list is empty");
        return;
    }
    const auto& choice = value.at("choices").at(0);
    if (!choice.is_object() || !choice.contains("message") || !choice.at("message").is_object()) {
        fail(result, "the response's first choice has no message: " + excerpt(choice.dump()));
        return;
    }
    const auto& message = choice.at("message");
    if (message.contains("content") && message.at("content").is_array()) {
        fail(result, "the response's message content is a list of " + std::to_string(message.at("content").size()) +
                         " parts, not a string; medvlm reads only text content, so set the server to return "
                         "plain text: " + excerpt(message.dump()));
        return;
    }
    if (!message.contains("content") || !message.at("content").is_string()) {
        fail(result, "the response's message has no text content: " + excerpt(message.dump()));
        return;
    }
    const auto usage = value.find("usage");
    if (usage == value.end() || !usage->is_object() || !usage->contains("prompt_tokens") ||
        !usage->at("prompt_tokens").is_number_integer()) {
        fail(result, "the response has no usage.prompt_tokens, which medvlm needs to check that images reached "
                     "the server");
        return;
    }
    if (!is_token_count(usage->at("prompt_tokens"))) {
        fail(result, "the response's usage.prompt_tokens is " + usage->at("prompt_tokens").dump() +
                         ", not a token count");
        return;
    }

    result.text = message.at("content").get<std::string>();
    result.prompt_tokens = usage->at("prompt_tokens").get<int64_t>();
    if (usage->contains("completion_tokens") && is_token_count(usage->at("completion_tokens"))) {
        result.generated_tokens = usage->at("completion_tokens").get<int64_t>();
    }
    result.truncated = choice.contains("finish_reason") && choice.at("finish_reason") == "length";
    // llama-server reports its own timings; other servers do not.
    if (const auto timings = value.find("timings"); timings != value.end() && timings->is_object()) {
        if (timings->contains("prompt_ms") && timings->at("prompt_ms").is_number()) {
            result.prompt_eval_ms = timings->at("prompt_ms").get<double>();
        }
        if (timings->contains("predicted_ms") && timings->at("predicted_ms").is_number()) {
            result.generate_ms = timings->at("predicted_ms").get<double>();
        }
    }

    if (request.scoring == Scoring::ChoiceLogprob) {
        result.truncated = false;  // a choice-logprob call requests one token only
        std::string reason;
        if (!read_choice_logprobs(choice, request, result, reason)) {
            fail(result, reason);
        }
    }
}

std::string describe_http_error(const HttpResponse& response) {
    std::string detail = error_message_of(response.body);
    if (detail.empty()) {
        detail = sanitize_utf8(response.body);
    }
    return "HTTP " + std::to_string(response.status) + (detail.empty() ? "" : ": " + excerpt(trim(detail), 300));
}

}  // namespace medvlm
