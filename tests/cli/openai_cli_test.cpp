// `medvlm eval --engine openai` against the real llama-server, as a user
// runs it: same extracted answers as the in-process engine on real SLAKE
// rows, with an API key the server requires and medvlm never prints.

#include <gtest/gtest.h>

#include <cstdlib>
#include <map>

#include "core/files.hpp"
#include "support/llama_server.hpp"
#include "support/test_support.hpp"

namespace medvlm {
namespace {

std::vector<std::string> slake_arguments(const std::filesystem::path& out) {
    const auto data = testing::shared_data_dir();
    return {"eval",         "--benchmark", "slake", "--data", (data / "slake/test.json").string(),
            "--image-root", (data / "slake/images").string(),
            "--modes",      "image+text,text-only",
            "--limit",      "20",
            "--out",        out.string()};
}

std::map<std::string, std::string> extracted_by_key(const std::filesystem::path& dir) {
    std::map<std::string, std::string> extracted;
    for (const auto& row : testing::read_jsonl(dir / "predictions.jsonl")) {
        EXPECT_TRUE(row.at("ok").get<bool>()) << row.dump();
        extracted[row.at("id").get<std::string>() + "|" + row.at("mode").get<std::string>()] =
            row.at("extracted").get<std::string>();
    }
    return extracted;
}

TEST(OpenAiCli, SameAnswersAsInProcessWithApiKey) {
    const std::string key = "sk-medvlm-cli-7d41e0";
    const auto& model = testing::tiny_model();
    // One thread in the server and in process, because llama.cpp's CPU
    // results depend on the thread count, and one slot, so no request is
    // decoded in a batch with another.
    testing::LlamaServer server(model.model, model.mmproj,
                                {"--jinja", "-c", "4096", "-np", "1", "--no-cache-prompt", "-cram", "0", "-t", "1",
                                 "--poll", "0", "--no-webui", "--api-key", key});
    const auto root = testing::make_temp_dir("openai-cli");

    ::setenv("MEDVLM_CLI_TEST_KEY", key.c_str(), 1);
    auto remote_arguments = slake_arguments(root / "openai");
    const std::vector<std::string> remote_engine = {"--engine",     "openai", "--endpoint",    server.base_url(),
                                                    "--model-name", "tiny",   "--concurrency", "2",
                                                    "--api-key-env", "MEDVLM_CLI_TEST_KEY"};
    remote_arguments.insert(remote_arguments.end(), remote_engine.begin(), remote_engine.end());
    const auto remote = testing::run_medvlm(remote_arguments);
    ::unsetenv("MEDVLM_CLI_TEST_KEY");
    ASSERT_EQ(remote.exit_code, 0) << remote.output << "\n" << server.log();
    EXPECT_NE(remote.output.find("40 of 40 answered"), std::string::npos) << remote.output;
    EXPECT_EQ(remote.output.find(key), std::string::npos);
    for (const char* name : {"manifest.json", "predictions.jsonl", "summary.json", "report.md"}) {
        EXPECT_EQ(read_file(root / "openai" / name).find(key), std::string::npos) << name;
    }

    auto local_arguments = slake_arguments(root / "in-process");
    const std::vector<std::string> local_engine = {"--model",    model.model.string(), "--mmproj",  model.mmproj.string(),
                                                   "--ctx-size", "4096",               "--threads", "1"};
    local_arguments.insert(local_arguments.end(), local_engine.begin(), local_engine.end());
    const auto local = testing::run_medvlm(local_arguments);
    ASSERT_EQ(local.exit_code, 0) << local.output;

    const auto remote_answers = extracted_by_key(root / "openai");
    const auto local_answers = extracted_by_key(root / "in-process");
    ASSERT_EQ(remote_answers.size(), 40u);
    ASSERT_EQ(local_answers.size(), 40u);
    // The in-process engine evaluates prompts in pieces of 4 tokens
    // (engine/prompt_pieces.hpp) and llama-server in whole batches, so the
    // random-weight model's greedy output may drift after its first bytes.
    // A different prompt would change it from the first byte on.
    size_t differing = 0;
    for (const auto& [call, local_answer] : local_answers) {
        ASSERT_TRUE(remote_answers.contains(call)) << call;
        const std::string& remote_answer = remote_answers.at(call);
        EXPECT_EQ(remote_answer.substr(0, 1), local_answer.substr(0, 1)) << call;
        if (remote_answer != local_answer) {
            differing += 1;
        }
    }
    EXPECT_LE(differing, 4u);

    // Without the key the server rejects medvlm before any call.
    const auto rejected = testing::run_medvlm(
        {"eval", "--benchmark", "slake", "--data", (testing::shared_data_dir() / "slake/test.json").string(),
         "--image-root", (testing::shared_data_dir() / "slake/images").string(), "--engine", "openai", "--endpoint",
         server.base_url(), "--model-name", "tiny", "--limit", "2", "--out", (root / "no-key").string()});
    EXPECT_EQ(rejected.exit_code, 3) << rejected.output;
    EXPECT_NE(rejected.output.find("check the key in --api-key-env"), std::string::npos) << rejected.output;
}

}  // namespace
}  // namespace medvlm
