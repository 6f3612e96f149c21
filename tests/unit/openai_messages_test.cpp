// The chat-completions body medvlm sends, how it reads responses, and the
// retry rules of the OpenAI-compatible engine.

#include <gtest/gtest.h>

#include <cmath>

#include "core/random.hpp"
#include "engine/openai_image.hpp"
#include "engine/openai_messages.hpp"
#include "engine/openai_retry.hpp"
#include "support/fault_server.hpp"
#include "support/test_support.hpp"

namespace medvlm {
namespace {

EngineRequest generate_request() {
    EngineRequest request;
    request.system = "You are careful.";
    request.images = {{"a.png", "sha-a"}, {"b.png", "sha-b"}};
    request.user_text = "Is there a lesion?";
    request.max_new_tokens = 16;
    return request;
}

EngineRequest choice_request() {
    EngineRequest request;
    request.user_text = "Pick one.";
    request.assistant_prefix = "Final answer:";
    request.scoring = Scoring::ChoiceLogprob;
    request.choice_letters = {"A", "B", "C"};
    return request;
}

TEST(ChatRequest, ImagesPrecedeTextInTheUserTurn) {
    const auto body = build_chat_request(generate_request(), {"data:1", "data:2"}, "m");
    EXPECT_EQ(body.at("model"), "m");
    EXPECT_EQ(body.at("temperature"), 0);
    EXPECT_EQ(body.at("max_tokens"), 16);
    EXPECT_FALSE(body.contains("logprobs"));
    const auto& messages = body.at("messages");
    ASSERT_EQ(messages.size(), 2u);
    EXPECT_EQ(messages[0].at("role"), "system");
    EXPECT_EQ(messages[0].at("content"), "You are careful.");
    const auto& content = messages[1].at("content");
    ASSERT_EQ(content.size(), 3u);
    EXPECT_EQ(content[0].at("type"), "image_url");
    EXPECT_EQ(content[0].at("image_url").at("url"), "data:1");
    EXPECT_EQ(content[1].at("image_url").at("url"), "data:2");
    EXPECT_EQ(content[2].at("type"), "text");
    EXPECT_EQ(content[2].at("text"), "Is there a lesion?");
}

TEST(ChatRequest, ChoiceLogprobPrefillsAndAsksForTopTokens) {
    const auto body = build_chat_request(choice_request(), {}, "m");
    EXPECT_EQ(body.at("max_tokens"), 1);
    EXPECT_EQ(body.at("logprobs"), true);
    EXPECT_EQ(body.at("top_logprobs"), kTopLogprobs);
    EXPECT_EQ(body.at("continue_final_message"), true);
    EXPECT_EQ(body.at("add_generation_prompt"), false);
    const auto& messages = body.at("messages");
    ASSERT_EQ(messages.size(), 2u);  // no system message when the prompt has none
    EXPECT_EQ(messages[1].at("role"), "assistant");
    EXPECT_EQ(messages[1].at("content"), "Final answer:");
}

TEST(ChatResponse, ReadsContentUsageAndFinishReason) {
    EngineResult result;
    nlohmann::json body = nlohmann::json::parse(testing::chat_completion_json("yes", 57));
    body["choices"][0]["finish_reason"] = "length";
    body["timings"] = {{"prompt_ms", 12.5}, {"predicted_ms", 3.0}};
    parse_chat_response(body.dump(), generate_request(), result);
    ASSERT_TRUE(result.ok) << result.error;
    EXPECT_EQ(result.text, "yes");
    EXPECT_EQ(result.prompt_tokens, 57);
    EXPECT_EQ(result.generated_tokens, 1);
    EXPECT_TRUE(result.truncated);
    EXPECT_DOUBLE_EQ(result.prompt_eval_ms, 12.5);
    EXPECT_EQ(result.image_tokens, 0);
}

TEST(ChatResponse, MalformedResponsesAreRecordedFailures) {
    const std::vector<std::pair<std::string, std::string>> cases = {
        {"{not json", "not valid JSON"},
        {"[]", "no choices list"},
        {R"({"choices": []})", "choices list is empty"},
        {R"({"choices": [{"index": 0}]})", "has no message"},
        {R"({"choices": [{"message": {"role": "assistant", "content": null}}]})", "no text content"},
        {R"({"choices": [{"message": {"content": "yes"}}]})", "no usage.prompt_tokens"},
        {R"({"choices": [{"message": {"content": "yes"}}], "usage": {"prompt_tokens": "9"}})",
         "no usage.prompt_tokens"},
    };
    for (const auto& [body, reason] : cases) {
        EngineResult result;
        parse_chat_response(body, generate_request(), result);
        EXPECT_FALSE(result.ok) << body;
        EXPECT_NE(result.error.find(reason), std::string::npos) << body << " -> " << result.error;
    }
}

TEST(ChatResponse, SumsLetterProbabilitiesWithAndWithoutSpace) {
    EngineResult result;
    const std::string body = testing::chat_completion_json(
        " B", 30, {{" B", std::log(0.5)}, {"A", std::log(0.2)}, {" A", std::log(0.2)}, {"x", std::log(0.1)}});
    parse_chat_response(body, choice_request(), result);
    ASSERT_TRUE(result.ok) << result.error;
    EXPECT_EQ(result.text, "B");
    ASSERT_EQ(result.choice_logprobs.size(), 2u);  // C is not among the top tokens
    EXPECT_NEAR(result.choice_logprobs.at("A"), std::log(0.4), 1e-12);
    EXPECT_NEAR(result.choice_logprobs.at("B"), std::log(0.5), 1e-12);
    EXPECT_FALSE(result.truncated);
}

TEST(ChatResponse, ChoiceLogprobWithoutLogprobsFails) {
    EngineResult without_logprobs;
    parse_chat_response(testing::chat_completion_json("A", 30), choice_request(), without_logprobs);
    EXPECT_FALSE(without_logprobs.ok);
    EXPECT_NE(without_logprobs.error.find("log-probabilities"), std::string::npos) << without_logprobs.error;

    EngineResult no_letter;
    parse_chat_response(testing::chat_completion_json("x", 30, {{"x", -0.1}, {"y", -3.0}}), choice_request(),
                        no_letter);
    EXPECT_FALSE(no_letter.ok);
    EXPECT_NE(no_letter.error.find("none of the option letters"), std::string::npos) << no_letter.error;
}

TEST(HttpError, QuotesTheServerMessage) {
    HttpResponse response;
    response.received = true;
    response.status = 500;
    response.body = R"({"error": {"code": 500, "message": "The model produced output that does not match"}})";
    EXPECT_EQ(describe_http_error(response), "HTTP 500: The model produced output that does not match");
    response.status = 502;
    response.body = "bad gateway\n";
    EXPECT_EQ(describe_http_error(response), "HTTP 502: bad gateway");
}

TEST(Retry, RetryableOutcomes) {
    HttpResponse response;
    EXPECT_TRUE(is_retryable(response));  // no response: connection error or timeout
    response.received = true;
    for (const long status : {429L, 500L, 502L, 503L, 504L}) {
        response.status = status;
        EXPECT_TRUE(is_retryable(response)) << status;
    }
    for (const long status : {200L, 400L, 401L, 404L, 422L}) {
        response.status = status;
        EXPECT_FALSE(is_retryable(response)) << status;
    }
}

TEST(Retry, ParsesRetryAfterSecondsAndDates) {
    EXPECT_EQ(parse_retry_after("3", 0), 3.0);
    EXPECT_EQ(parse_retry_after(" 120 ", 0), 120.0);
    EXPECT_FALSE(parse_retry_after("", 0).has_value());
    EXPECT_FALSE(parse_retry_after("soon", 0).has_value());
    EXPECT_FALSE(parse_retry_after("-5", 0).has_value());
    // Wed, 21 Oct 2015 07:28:00 GMT is 1445412480 s after the epoch.
    EXPECT_EQ(parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT", 1445412470), 10.0);
    EXPECT_EQ(parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT", 1445412490), 0.0);
}

TEST(Retry, BackoffGrowsWithFullJitterAndHonoursRetryAfter) {
    RetryPolicy policy;
    policy.base_delay_s = 1.0;
    policy.max_delay_s = 6.0;
    policy.max_retry_after_s = 60.0;
    SplitMix64 random(7);
    double max_first = 0;
    double max_fourth = 0;
    for (int i = 0; i < 2000; ++i) {
        const double first = retry_delay_s(policy, 1, std::nullopt, random);
        const double fourth = retry_delay_s(policy, 4, std::nullopt, random);
        ASSERT_GE(first, 0.0);
        ASSERT_LE(first, 1.0);
        ASSERT_GE(fourth, 0.0);
        ASSERT_LE(fourth, 6.0);  // 1 * 2^3 = 8, capped at max_delay_s
        max_first = std::max(max_first, first);
        max_fourth = std::max(max_fourth, fourth);
    }
    EXPECT_GT(max_fourth, 1.0);  // the ceiling grew beyond the first retry's
    EXPECT_GT(max_first, 0.5);
    EXPECT_EQ(retry_delay_s(policy, 1, 7.0, random), 7.0);
    EXPECT_EQ(retry_delay_s(policy, 1, 600.0, random), 60.0);
}

TEST(ImagePayload, Base64MatchesRfc4648Vectors) {
    EXPECT_EQ(base64_encode(""), "");
    EXPECT_EQ(base64_encode("f"), "Zg==");
    EXPECT_EQ(base64_encode("fo"), "Zm8=");
    EXPECT_EQ(base64_encode("foo"), "Zm9v");
    EXPECT_EQ(base64_encode("foobar"), "Zm9vYmFy");
}

TEST(ImagePayload, PngDataUrlOfARealImage) {
    const auto image = testing::shared_data_dir() / "slake/images/xmlab1/source.jpg";
    const std::string url = png_data_url(image, ImageLimits{});
    const std::string prefix = "data:image/png;base64,";
    ASSERT_EQ(url.rfind(prefix, 0), 0u);
    // "\x89PNG\r\n\x1a\n" in base64.
    EXPECT_EQ(url.substr(prefix.size(), 8), "iVBORw0K");

    ImageUrlCache cache(1 << 30);
    EXPECT_EQ(cache.get("sha", image, ImageLimits{}), url);
    EXPECT_EQ(cache.get("sha", image, ImageLimits{}), url);
}

}  // namespace
}  // namespace medvlm
