// The OpenAI-compatible engine against a loopback server that misbehaves on
// purpose: every call ends answered or recorded as failed with its reason,
// and a rerun retries only the failed calls.

#include <gtest/gtest.h>

#include <cstdlib>
#include <mutex>
#include <set>

#include "core/error.hpp"
#include "core/files.hpp"
#include "engine/openai_engine.hpp"
#include "engine/openai_messages.hpp"
#include "run/eval_runner.hpp"
#include "support/fault_server.hpp"
#include "support/medxpertqa_fixture.hpp"
#include "support/test_support.hpp"

namespace medvlm {
namespace {

using testing::FaultAction;
using testing::FaultServer;
using testing::ReceivedRequest;

// Serves GET /v1/models and passes chat requests to `chat`.
FaultServer::Handler with_models(std::function<FaultAction(const ReceivedRequest&)> chat) {
    return [chat = std::move(chat)](const ReceivedRequest& request) {
        if (request.method == "GET") {
            return FaultAction::json(200, testing::models_json("tiny"));
        }
        return chat(request);
    };
}

OpenAiEngineOptions options_for(const std::vector<const FaultServer*>& servers) {
    OpenAiEngineOptions options;
    for (const auto* server : servers) {
        options.endpoints.push_back(server->base_url());
    }
    options.model_name = "tiny";
    options.concurrency = 1;
    options.request_timeout_s = 5;
    options.retry.max_attempts = 4;
    options.retry.base_delay_s = 0.01;
    options.retry.max_delay_s = 0.05;
    return options;
}

EngineRequest text_request(const std::string& text) {
    EngineRequest request;
    request.user_text = text;
    request.max_new_tokens = 4;
    return request;
}

TEST(OpenAiFaults, ServerErrorsAreRetriedUntilAnswered) {
    FaultServer server(with_models([](const ReceivedRequest& request) {
        const size_t chat_index = request.index - 1;  // request 0 was GET /models
        if (chat_index < 2) {
            return FaultAction::json(chat_index == 0 ? 500 : 503, R"({"error": {"message": "busy"}})");
        }
        return FaultAction::json(200, testing::chat_completion_json("yes", 40));
    }));
    const auto engine = make_openai_engine(options_for({&server}));
    const EngineResult result = engine->run(text_request("Is it?"));
    ASSERT_TRUE(result.ok) << result.error;
    EXPECT_EQ(result.text, "yes");
    EXPECT_EQ(result.prompt_tokens, 40);
    EXPECT_EQ(server.chat_requests().size(), 3u);
}

TEST(OpenAiFaults, PersistentServerErrorIsRecordedWithReason) {
    FaultServer server(with_models([](const ReceivedRequest&) {
        return FaultAction::json(500, R"({"error": {"code": 500, "message": "The model produced output that does )"
                                      R"(not match the expected format"}})");
    }));
    const auto engine = make_openai_engine(options_for({&server}));
    const EngineResult result = engine->run(text_request("Is it?"));
    EXPECT_FALSE(result.ok);
    EXPECT_NE(result.error.find("HTTP 500: The model produced output"), std::string::npos) << result.error;
    EXPECT_NE(result.error.find("(4 attempts)"), std::string::npos) << result.error;
    EXPECT_EQ(server.chat_requests().size(), 4u);
}

TEST(OpenAiFaults, TooManyRequestsWaitsForRetryAfter) {
    FaultServer server(with_models([](const ReceivedRequest& request) {
        if (request.index == 1) {
            FaultAction action = FaultAction::json(429, R"({"error": {"message": "slow down"}})");
            action.headers["Retry-After"] = "1";
            return action;
        }
        return FaultAction::json(200, testing::chat_completion_json("no", 41));
    }));
    const auto engine = make_openai_engine(options_for({&server}));
    const EngineResult result = engine->run(text_request("Is it?"));
    ASSERT_TRUE(result.ok) << result.error;
    const auto chat = server.chat_requests();
    ASSERT_EQ(chat.size(), 2u);
    // Retry-After: 1 requests a full second; the backoff alone would wait at
    // most 0.05 s here.
    EXPECT_GE(chat[1].arrived - chat[0].arrived, std::chrono::milliseconds(950));
}

TEST(OpenAiFaults, StalledResponseTimesOutAndIsRetried) {
    FaultServer server(with_models([](const ReceivedRequest& request) {
        return request.index == 1 ? FaultAction::stall()
                                  : FaultAction::json(200, testing::chat_completion_json("yes", 42));
    }));
    OpenAiEngineOptions options = options_for({&server});
    options.request_timeout_s = 0.5;
    const auto engine = make_openai_engine(options);
    const EngineResult result = engine->run(text_request("Is it?"));
    ASSERT_TRUE(result.ok) << result.error;
    EXPECT_EQ(server.chat_requests().size(), 2u);
}

TEST(OpenAiFaults, SilentServerRecordedAsTimedOut) {
    FaultServer server(with_models([](const ReceivedRequest&) { return FaultAction::stall(); }));
    OpenAiEngineOptions options = options_for({&server});
    options.request_timeout_s = 0.3;
    options.retry.max_attempts = 2;
    const auto engine = make_openai_engine(options);
    const EngineResult result = engine->run(text_request("Is it?"));
    EXPECT_FALSE(result.ok);
    EXPECT_NE(result.error.find("no complete response within 0.3 s"), std::string::npos) << result.error;
    EXPECT_NE(result.error.find("(2 attempts)"), std::string::npos) << result.error;
}

TEST(OpenAiFaults, ConnectionResetMidBodyIsRetried) {
    const std::string reply = testing::chat_completion_json("yes", 43);
    FaultServer server(with_models([reply](const ReceivedRequest& request) {
        return request.index == 1 ? FaultAction::reset_mid_body(reply) : FaultAction::json(200, reply);
    }));
    const auto engine = make_openai_engine(options_for({&server}));
    const EngineResult result = engine->run(text_request("Is it?"));
    ASSERT_TRUE(result.ok) << result.error;
    EXPECT_EQ(result.prompt_tokens, 43);
    EXPECT_EQ(server.chat_requests().size(), 2u);
}

TEST(OpenAiFaults, MalformedBodiesRecordedNotRetried) {
    const std::vector<std::pair<std::string, std::string>> cases = {
        {"{\"choices\": [", "the response is not valid JSON"},
        {R"({"choices": [], "usage": {"prompt_tokens": 3}})", "the response's choices list is empty"},
        {R"({"choices": [{"index": 0, "finish_reason": "stop"}], "usage": {"prompt_tokens": 3}})",
         "the response's first choice has no message"},
    };
    for (const auto& [body, reason] : cases) {
        FaultServer server(with_models([body](const ReceivedRequest&) { return FaultAction::json(200, body); }));
        const auto engine = make_openai_engine(options_for({&server}));
        const EngineResult result = engine->run(text_request("Is it?"));
        EXPECT_FALSE(result.ok) << body;
        EXPECT_NE(result.error.find(reason), std::string::npos) << result.error;
        EXPECT_NE(result.error.find(server.base_url()), std::string::npos) << result.error;
        EXPECT_EQ(server.chat_requests().size(), 1u) << body;
    }
}

TEST(OpenAiFaults, ClientErrorIsNotRetried) {
    FaultServer server(with_models([](const ReceivedRequest&) {
        return FaultAction::json(400, R"({"error": {"message": "the request exceeds the available context size"}})");
    }));
    const auto engine = make_openai_engine(options_for({&server}));
    const EngineResult result = engine->run(text_request("Is it?"));
    EXPECT_FALSE(result.ok);
    EXPECT_NE(result.error.find("HTTP 400: the request exceeds the available context size (1 attempt)"),
              std::string::npos)
        << result.error;
    EXPECT_EQ(server.chat_requests().size(), 1u);
}

TEST(OpenAiFaults, UnreachableEndpointStopsBeforeAnyCall) {
    int port = 0;
    {
        FaultServer closed(with_models([](const ReceivedRequest&) { return FaultAction::stall(); }));
        port = closed.port();
    }
    OpenAiEngineOptions options;
    options.endpoints = {"http://127.0.0.1:" + std::to_string(port) + "/v1"};
    options.model_name = "tiny";
    options.retry.max_attempts = 2;
    options.retry.base_delay_s = 0.01;
    try {
        (void)make_openai_engine(options);
        FAIL() << "an engine was created for a closed port";
    } catch (const EngineError& e) {
        EXPECT_NE(std::string(e.what()).find("cannot be reached"), std::string::npos) << e.what();
    }
}

TEST(OpenAiFaults, ApiKeyIsSentButNeverShown) {
    const std::string key = "sk-medvlm-test-3f9a1c";
    ::setenv("MEDVLM_TEST_API_KEY", key.c_str(), 1);
    // A server that echoes the Authorization header into its error.
    FaultServer server([](const ReceivedRequest& request) {
        const auto auth = request.headers.find("authorization");
        const std::string echoed = auth == request.headers.end() ? "none" : auth->second;
        if (request.method == "GET") {
            return FaultAction::json(200, testing::models_json("tiny"));
        }
        return FaultAction::json(503, nlohmann::json({{"error", {{"message", "rejected " + echoed}}}}).dump());
    });
    OpenAiEngineOptions options = options_for({&server});
    options.api_key_env = "MEDVLM_TEST_API_KEY";
    options.retry.max_attempts = 2;
    const auto engine = make_openai_engine(options);
    const EngineResult result = engine->run(text_request("Is it?"));
    ::unsetenv("MEDVLM_TEST_API_KEY");

    for (const auto& request : server.requests()) {
        EXPECT_EQ(request.headers.at("authorization"), "Bearer " + key);
    }
    EXPECT_FALSE(result.ok);
    EXPECT_NE(result.error.find("rejected Bearer [API key]"), std::string::npos) << result.error;
    EXPECT_EQ(result.error.find(key), std::string::npos) << result.error;
    EXPECT_EQ(engine->describe().dump().find(key), std::string::npos);
    EXPECT_EQ(engine->describe_execution().dump().find(key), std::string::npos);
    EXPECT_EQ(engine->describe_execution().at("api_key_env"), "MEDVLM_TEST_API_KEY");
}

TEST(OpenAiFaults, UnsetKeyVariableIsAnInputError) {
    FaultServer server(with_models([](const ReceivedRequest&) { return FaultAction::stall(); }));
    OpenAiEngineOptions options = options_for({&server});
    options.api_key_env = "MEDVLM_TEST_KEY_THAT_IS_NOT_SET";
    EXPECT_THROW((void)make_openai_engine(options), InputError);
}

TEST(OpenAiFaults, ConcurrencyIsBoundedAndSpreadOverEndpoints) {
    std::mutex mutex;
    int in_flight = 0;
    int max_in_flight = 0;
    const auto slow_answer = [&](const ReceivedRequest&) {
        {
            std::lock_guard lock(mutex);
            max_in_flight = std::max(max_in_flight, ++in_flight);
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
        {
            std::lock_guard lock(mutex);
            --in_flight;
        }
        return FaultAction::json(200, testing::chat_completion_json("yes", 10));
    };
    FaultServer first(with_models(slow_answer));
    FaultServer second(with_models(slow_answer));
    OpenAiEngineOptions options = options_for({&first, &second});
    options.concurrency = 3;
    const auto engine = make_openai_engine(options);
    EXPECT_EQ(engine->preferred_batch_size(), 12u);

    std::vector<EngineRequest> requests;
    for (int i = 0; i < 24; ++i) {
        requests.push_back(text_request("question " + std::to_string(i)));
    }
    const auto results = engine->run_batch(requests);
    ASSERT_EQ(results.size(), 24u);
    for (const auto& result : results) {
        EXPECT_TRUE(result.ok) << result.error;
    }
    EXPECT_LE(max_in_flight, 3);
    EXPECT_GE(first.chat_requests().size(), 1u);
    EXPECT_GE(second.chat_requests().size(), 1u);
    EXPECT_EQ(first.chat_requests().size() + second.chat_requests().size(), 24u);
    // Results come back in request order.
    std::set<std::string> texts;
    for (const auto& request : first.chat_requests()) {
        texts.insert(nlohmann::json::parse(request.body).at("messages").back().at("content").back().at("text"));
    }
    for (const auto& request : second.chat_requests()) {
        texts.insert(nlohmann::json::parse(request.body).at("messages").back().at("content").back().at("text"));
    }
    EXPECT_EQ(texts.size(), 24u);
}

TEST(OpenAiFaults, FailedEndpointIsAvoidedOnRetry) {
    FaultServer broken(with_models([](const ReceivedRequest&) { return FaultAction::json(502, "{}"); }));
    FaultServer healthy(
        with_models([](const ReceivedRequest&) { return FaultAction::json(200, testing::chat_completion_json("yes", 9)); }));
    const auto engine = make_openai_engine(options_for({&broken, &healthy}));
    for (int i = 0; i < 4; ++i) {
        const EngineResult result = engine->run(text_request("q" + std::to_string(i)));
        EXPECT_TRUE(result.ok) << result.error;
    }
    EXPECT_LE(broken.chat_requests().size(), 4u);
    EXPECT_EQ(healthy.chat_requests().size(), 4u);
}

// Every SLAKE call meets one fault; the first session records the failures,
// the second, against a healthy server, retries exactly those.
TEST(OpenAiFaults, EvalRecordsFailuresAndRerunRetriesOnlyThem) {
    const auto data = testing::shared_data_dir();
    EvalConfig config;
    config.dataset.benchmark = Benchmark::Slake;
    config.dataset.data_file = data / "slake/test.json";
    config.dataset.image_root = data / "slake/images";
    config.dataset.limit = 6;
    config.out_dir = testing::make_temp_dir("openai-eval-faults") / "run";
    const Dataset dataset = load_dataset(config.dataset);

    // Prompt tokens as a server would count them: more with an image.
    const auto answer = [](const ReceivedRequest& request) {
        const auto body = nlohmann::json::parse(request.body);
        const auto& content = body.at("messages").back().at("content");
        const int tokens = 50 + 64 * static_cast<int>(content.size() - 1);
        return FaultAction::json(200, testing::chat_completion_json("yes", tokens));
    };
    FaultServer faulty(with_models([&](const ReceivedRequest& request) {
        const auto body = nlohmann::json::parse(request.body);
        const auto& content = body.at("messages").back().at("content");
        const std::string key = content.back().at("text").get<std::string>() + "#" + std::to_string(content.size());
        // Faults keyed on the call, so its retries meet the same fault.
        switch (std::hash<std::string>{}(key) % 6) {
            case 0: return FaultAction::json(500, R"({"error": {"message": "invalid utf-8"}})");
            case 1: return FaultAction::json(200, "<html>proxy error</html>");
            case 2: return FaultAction::json(200, R"({"choices": [], "usage": {"prompt_tokens": 5}})");
            case 3: return FaultAction::stall();
            default: return answer(request);
        }
    }));
    OpenAiEngineOptions options = options_for({&faulty});
    options.request_timeout_s = 0.3;
    options.retry.max_attempts = 2;
    options.concurrency = 4;
    {
        const auto engine = make_openai_engine(options);
        const EvalOutcome first = run_eval(config, dataset, *engine);
        EXPECT_EQ(first.completeness.answered + first.completeness.failed, 12u);
        EXPECT_GT(first.completeness.failed, 0u);
    }
    const auto first_rows = testing::read_jsonl(config.out_dir / "predictions.jsonl");
    ASSERT_EQ(first_rows.size(), 12u);
    std::set<std::string> failed;
    for (const auto& row : first_rows) {
        if (!row.at("ok").get<bool>()) {
            EXPECT_FALSE(row.at("error").get<std::string>().empty());
            failed.insert(row.at("id").get<std::string>() + "|" + row.at("mode").get<std::string>());
        } else {
            EXPECT_EQ(row.at("raw_output"), "yes");
        }
    }

    FaultServer healthy(with_models(answer));
    const auto engine = make_openai_engine(options_for({&healthy}));
    const EvalOutcome second = run_eval(config, dataset, *engine);
    EXPECT_EQ(second.calls_run, failed.size());
    EXPECT_EQ(healthy.chat_requests().size(), failed.size());
    EXPECT_TRUE(second.completeness.complete());
    EXPECT_TRUE(second.summary.at("valid").get<bool>()) << second.summary.at("invalid_reasons").dump();
    const auto& proof = second.summary.at("image_proof").at("modes").at("image+text");
    EXPECT_EQ(proof.at("rows").get<int>(), 6);
    EXPECT_EQ(proof.at("rows_with_added_tokens").get<int>(), 6);
    EXPECT_EQ(proof.at("added_tokens").at("min").get<int>(), 64);
}

TEST(OpenAiFaults, DroppedImagesMarkTheRunInvalid) {
    const auto data = testing::shared_data_dir();
    EvalConfig config;
    config.dataset.benchmark = Benchmark::Slake;
    config.dataset.data_file = data / "slake/test.json";
    config.dataset.image_root = data / "slake/images";
    config.dataset.limit = 4;
    config.out_dir = testing::make_temp_dir("openai-dropped") / "run";
    const Dataset dataset = load_dataset(config.dataset);

    // The same prompt token count with and without the image.
    FaultServer server(with_models(
        [](const ReceivedRequest&) { return FaultAction::json(200, testing::chat_completion_json("yes", 50)); }));
    const auto engine = make_openai_engine(options_for({&server}));
    const EvalOutcome outcome = run_eval(config, dataset, *engine);
    EXPECT_FALSE(outcome.summary.at("valid").get<bool>());
    const std::string reasons = outcome.summary.at("invalid_reasons").dump();
    EXPECT_NE(reasons.find("the images added no prompt tokens"), std::string::npos) << reasons;
    EXPECT_NE(read_file(config.out_dir / "report.md").find("INVALID RUN"), std::string::npos);

    // Image modes without text-only cannot be checked at all.
    config.modes = {AblationMode::ImageText};
    config.out_dir = testing::make_temp_dir("openai-no-text-only") / "run";
    try {
        (void)run_eval(config, dataset, *engine);
        FAIL() << "a remote image+text run without text-only was accepted";
    } catch (const InputError& e) {
        EXPECT_NE(std::string(e.what()).find("add text-only to --modes"), std::string::npos) << e.what();
    }
}

TEST(OpenAiFaults, ChoiceLogprobNeedsServerLogprobs) {
    const auto fixture = testing::medxpertqa_with_stand_in_images(3);
    EvalConfig config;
    config.dataset.benchmark = Benchmark::MedXpertQaMm;
    config.dataset.data_file = fixture.data_file;
    config.dataset.image_root = fixture.image_root;
    config.modes = {AblationMode::TextOnly};
    config.scoring = Scoring::ChoiceLogprob;
    config.out_dir = testing::make_temp_dir("openai-no-logprobs") / "run";
    const Dataset dataset = load_dataset(config.dataset);

    FaultServer plain(with_models(
        [](const ReceivedRequest&) { return FaultAction::json(200, testing::chat_completion_json("A", 20)); }));
    const auto plain_engine = make_openai_engine(options_for({&plain}));
    try {
        (void)run_eval(config, dataset, *plain_engine);
        FAIL() << "choice-logprob ran on a server without log-probabilities";
    } catch (const InputError& e) {
        EXPECT_NE(std::string(e.what()).find("--scoring choice-logprob is not available"), std::string::npos)
            << e.what();
    }
    EXPECT_EQ(plain.chat_requests().size(), 1u);  // the probe only

    FaultServer with_logprobs(with_models([](const ReceivedRequest&) {
        return FaultAction::json(200, testing::chat_completion_json("C", 20, {{"C", -0.2}, {" D", -1.9}, {"A", -3.0}}));
    }));
    const auto engine = make_openai_engine(options_for({&with_logprobs}));
    const EvalOutcome outcome = run_eval(config, dataset, *engine);
    const auto rows = testing::read_jsonl(outcome.out_dir / "predictions.jsonl");
    ASSERT_EQ(rows.size(), 3u);
    for (const auto& row : rows) {
        ASSERT_TRUE(row.at("ok").get<bool>()) << row.dump();
        EXPECT_EQ(row.at("extraction_rule"), "choice_logprob");
        EXPECT_EQ(row.at("shown_letter"), "C");
        EXPECT_EQ(row.at("choice_logprobs").size(), 3u);
    }
    const auto request = nlohmann::json::parse(with_logprobs.chat_requests().back().body);
    EXPECT_EQ(request.at("top_logprobs"), kTopLogprobs);
    EXPECT_EQ(request.at("messages").back().at("role"), "assistant");
}

}  // namespace
}  // namespace medvlm
