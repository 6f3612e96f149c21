// The API key of `eval --engine openai` reaches the server and nothing
// else. The test searches every file the run writes, at any depth (the
// SQLite store included), and everything medvlm prints with --verbose,
// after a server has echoed the key back in an error.

#include <gtest/gtest.h>

#include <atomic>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>

#include "core/files.hpp"
#include "support/fault_server.hpp"
#include "support/test_support.hpp"

namespace medvlm {
namespace {

namespace fs = std::filesystem;
using testing::FaultAction;
using testing::FaultServer;
using testing::ReceivedRequest;

std::string read_bytes(const fs::path& path) {
    std::ifstream in(path, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

TEST(ApiKeyCli, KeyNeverWrittenOrLogged) {
    const std::string key = "sk-medvlm-grep-5c2e91";
    std::atomic<int> chat_calls{0};
    // The first chat request gets a 503 whose error echoes the
    // Authorization header. The others get answers that count more prompt
    // tokens with an image than without, as a real server does.
    FaultServer server([&](const ReceivedRequest& request) {
        const auto auth = request.headers.find("authorization");
        const std::string echoed = auth == request.headers.end() ? "none" : auth->second;
        if (echoed != "Bearer " + key) {
            return FaultAction::json(401, R"({"error": {"message": "invalid API key"}})");
        }
        if (request.method == "GET") {
            return FaultAction::json(200, testing::models_json("tiny"));
        }
        if (chat_calls++ == 0) {
            return FaultAction::json(503, nlohmann::json({{"error", {{"message", "overloaded, " + echoed}}}}).dump());
        }
        const bool has_image = request.body.find("image_url") != std::string::npos;
        return FaultAction::json(200, testing::chat_completion_json("yes", has_image ? 60 : 20));
    });

    const auto data = testing::shared_data_dir();
    const auto run = testing::make_temp_dir("api-key") / "run";
    ::setenv("MEDVLM_API_KEY_TEST", key.c_str(), 1);
    const auto result = testing::run_medvlm(
        {"--verbose", "eval", "--benchmark", "slake", "--data", (data / "slake/test.json").string(), "--image-root",
         (data / "slake/images").string(), "--limit", "3", "--modes", "image+text,text-only", "--engine", "openai",
         "--endpoint", server.base_url(), "--model-name", "tiny", "--api-key-env", "MEDVLM_API_KEY_TEST",
         "--retries", "0", "--concurrency", "1", "--out", run.string()});
    ::unsetenv("MEDVLM_API_KEY_TEST");

    // The key was sent with every request, so the search below looks for
    // a string medvlm really held.
    ASSERT_EQ(result.exit_code, 0) << result.output;
    ASSERT_EQ(server.chat_requests().size(), 6u);
    for (const auto& request : server.requests()) {
        EXPECT_EQ(request.headers.at("authorization"), "Bearer " + key) << request.path;
    }

    // The echoed key reached medvlm and was replaced before storing.
    const auto predictions = testing::read_jsonl(run / "predictions.jsonl");
    ASSERT_EQ(predictions.size(), 6u);
    int redacted_errors = 0;
    for (const auto& prediction : predictions) {
        if (!prediction.at("ok").get<bool>() &&
            prediction.at("error").get<std::string>().find("overloaded, Bearer [API key]") != std::string::npos) {
            ++redacted_errors;
        }
    }
    EXPECT_EQ(redacted_errors, 1);

    EXPECT_EQ(result.output.find(key), std::string::npos) << result.output;
    size_t files_searched = 0;
    for (const auto& entry : fs::recursive_directory_iterator(run)) {
        if (!entry.is_regular_file()) {
            continue;
        }
        ++files_searched;
        EXPECT_EQ(read_bytes(entry.path()).find(key), std::string::npos) << entry.path();
    }
    // manifest.json, predictions.jsonl, summary.json, report.md, run.sqlite.
    EXPECT_GE(files_searched, 5u);
    EXPECT_NE(read_file(run / "manifest.json").find("MEDVLM_API_KEY_TEST"), std::string::npos);
}

}  // namespace
}  // namespace medvlm
