// `medvlm eval` killed with SIGKILL and resumed, `--shard` and
// `medvlm merge`, run as a user runs them, with the tiny model in process.

#include <gtest/gtest.h>
#include <fcntl.h>
#include <signal.h>
#include <sqlite3.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <set>
#include <thread>

#include "core/error.hpp"
#include "core/files.hpp"
#include "run/run_store.hpp"
#include "support/test_support.hpp"

namespace medvlm {
namespace {

std::vector<std::string> eval_arguments(const std::filesystem::path& out, const std::string& limit) {
    const auto data = testing::shared_data_dir();
    const auto& model = testing::tiny_model();
    return {"eval",         "--benchmark",          "slake",
            "--data",       (data / "slake/test.json").string(),
            "--image-root", (data / "slake/images").string(),
            "--model",      model.model.string(),
            "--mmproj",     model.mmproj.string(),
            "--ctx-size",   "4096",
            "--threads",    "1",
            "--modes",      "image+text,text-only",
            "--limit",      limit,
            "--out",        out.string()};
}

std::vector<std::string> with(std::vector<std::string> arguments, const std::vector<std::string>& extra) {
    arguments.insert(arguments.end(), extra.begin(), extra.end());
    return arguments;
}

// predictions.jsonl without timings, which differ between executions, and
// without work counters, which depend on what the same process computed
// before (cached image embeddings and prompt prefixes).
std::vector<nlohmann::json> comparable_predictions(const std::filesystem::path& dir) {
    auto rows = testing::read_jsonl(dir / "predictions.jsonl");
    for (auto& row : rows) {
        row.erase("timings_ms");
        row.erase("work");
    }
    return rows;
}

// summary.json without the run's work totals, for the same reason.
nlohmann::json comparable_summary(const std::filesystem::path& dir) {
    auto summary = read_json_file(dir / "summary.json");
    summary.erase("work");
    return summary;
}

size_t stored_calls(const std::filesystem::path& dir) {
    try {
        return RunStore::open_read_only(dir / kRunStoreFile).load_predictions().size();
    } catch (const InputError&) {
        return 0;  // the store does not exist yet or contains no run yet
    }
}

// Starts medvlm with its output in `log`; returns the child's pid.
pid_t start_medvlm(const std::vector<std::string>& arguments, const std::filesystem::path& log) {
    std::vector<std::string> command = {MEDVLM_BINARY};
    command.insert(command.end(), arguments.begin(), arguments.end());
    std::vector<char*> argv;
    for (auto& argument : command) {
        argv.push_back(argument.data());
    }
    argv.push_back(nullptr);
    const pid_t pid = ::fork();
    if (pid == 0) {
        const int fd = ::open(log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
        ::dup2(fd, STDOUT_FILENO);
        ::dup2(fd, STDERR_FILENO);
        ::execv(argv[0], argv.data());
        ::_exit(127);
    }
    return pid;
}

TEST(ResumeCli, SigkilledRunResumesToTheUninterruptedResult) {
    const auto root = testing::make_temp_dir("kill-resume");
    const auto killed_dir = root / "killed";
    const std::vector<std::string> arguments = eval_arguments(killed_dir, "100");
    constexpr size_t kTotal = 200;

    const pid_t pid = start_medvlm(arguments, root / "killed.log");
    ASSERT_GT(pid, 0);
    // Kill once some calls are committed; the store is read while the
    // eval keeps writing it.
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::minutes(5);
    while (stored_calls(killed_dir) < 10 && std::chrono::steady_clock::now() < deadline) {
        int status = 0;
        if (::waitpid(pid, &status, WNOHANG) == pid) {
            FAIL() << "eval ended before it could be killed:\n" << read_file(root / "killed.log");
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    ASSERT_EQ(::kill(pid, SIGKILL), 0);
    int status = 0;
    ASSERT_EQ(::waitpid(pid, &status, 0), pid);
    ASSERT_TRUE(WIFSIGNALED(status));
    const size_t at_kill = stored_calls(killed_dir);
    ASSERT_GE(at_kill, 10u);
    ASSERT_LT(at_kill, kTotal) << "the run finished before the kill";

    const auto resumed = testing::run_medvlm(arguments);
    ASSERT_EQ(resumed.exit_code, 0) << resumed.output;
    EXPECT_NE(resumed.output.find("resuming " + killed_dir.string()), std::string::npos) << resumed.output;
    EXPECT_NE(resumed.output.find(std::to_string(kTotal - at_kill) + " calls run now"), std::string::npos)
        << resumed.output;

    // Every (id, mode, rotation) exactly once in the store.
    sqlite3* db = nullptr;
    ASSERT_EQ(sqlite3_open_v2((killed_dir / kRunStoreFile).c_str(), &db, SQLITE_OPEN_READONLY, nullptr), SQLITE_OK);
    sqlite3_stmt* query = nullptr;
    ASSERT_EQ(sqlite3_prepare_v2(db,
                                 "SELECT COUNT(*), COUNT(DISTINCT id || '|' || mode || '|' || rotation), SUM(ok) "
                                 "FROM calls",
                                 -1, &query, nullptr),
              SQLITE_OK);
    ASSERT_EQ(sqlite3_step(query), SQLITE_ROW);
    EXPECT_EQ(sqlite3_column_int64(query, 0), static_cast<int64_t>(kTotal));
    EXPECT_EQ(sqlite3_column_int64(query, 1), static_cast<int64_t>(kTotal));
    EXPECT_EQ(sqlite3_column_int64(query, 2), static_cast<int64_t>(kTotal));
    sqlite3_finalize(query);
    sqlite3_close(db);

    const auto whole_dir = root / "whole";
    const auto whole = testing::run_medvlm(eval_arguments(whole_dir, "100"));
    ASSERT_EQ(whole.exit_code, 0) << whole.output;
    const auto killed_rows = comparable_predictions(killed_dir);
    const auto whole_rows = comparable_predictions(whole_dir);
    ASSERT_EQ(killed_rows.size(), kTotal);
    ASSERT_EQ(whole_rows.size(), kTotal);
    for (size_t i = 0; i < kTotal; ++i) {
        EXPECT_EQ(killed_rows[i], whole_rows[i]) << "row " << i;
    }
    EXPECT_EQ(comparable_summary(killed_dir), comparable_summary(whole_dir));
}

TEST(ResumeCli, TwoShardsMergedEqualOneUnshardedRun) {
    const auto root = testing::make_temp_dir("shard-merge-cli");
    const auto whole = testing::run_medvlm(eval_arguments(root / "whole", "9"));
    ASSERT_EQ(whole.exit_code, 0) << whole.output;
    for (const char* shard : {"1/2", "2/2"}) {
        const std::string name = std::string("shard") + shard[0];
        const auto run = testing::run_medvlm(with(eval_arguments(root / name, "9"), {"--shard", shard}));
        ASSERT_EQ(run.exit_code, 0) << run.output;
    }
    EXPECT_EQ(testing::read_jsonl(root / "shard1/predictions.jsonl").size(), 10u);  // rows 0, 2, 4, 6, 8
    EXPECT_EQ(testing::read_jsonl(root / "shard2/predictions.jsonl").size(), 8u);

    const auto merged = testing::run_medvlm(
        {"merge", (root / "shard1").string(), (root / "shard2").string(), "--out", (root / "merged").string()});
    ASSERT_EQ(merged.exit_code, 0) << merged.output;
    EXPECT_NE(merged.output.find("18 of 18 calls answered, 0 failed, 0 missing"), std::string::npos) << merged.output;
    EXPECT_EQ(comparable_predictions(root / "merged"), comparable_predictions(root / "whole"));
    EXPECT_EQ(comparable_summary(root / "merged"), comparable_summary(root / "whole"));

    const auto partial = testing::run_medvlm({"merge", (root / "shard2").string(), "--out", (root / "partial").string()});
    ASSERT_EQ(partial.exit_code, 0) << partial.output;
    EXPECT_NE(partial.output.find("10 missing"), std::string::npos) << partial.output;
    EXPECT_NE(partial.output.find("gaps: 10 planned calls are in none of the inputs"), std::string::npos)
        << partial.output;

    const auto into_existing = testing::run_medvlm(
        {"merge", (root / "shard1").string(), "--out", (root / "whole").string()});
    EXPECT_EQ(into_existing.exit_code, 2) << into_existing.output;
}

TEST(ResumeCli, OtherSettingsAreRejectedUnlessForcedNew) {
    const auto root = testing::make_temp_dir("settings-cli");
    const auto first = testing::run_medvlm(eval_arguments(root / "run", "3"));
    ASSERT_EQ(first.exit_code, 0) << first.output;

    const auto other = testing::run_medvlm(with(eval_arguments(root / "run", "3"), {"--max-new-tokens", "4"}));
    EXPECT_EQ(other.exit_code, 2) << other.output;
    EXPECT_NE(other.output.find("decoding.max_new_tokens (stored 16, now 4)"), std::string::npos) << other.output;

    const auto forced =
        testing::run_medvlm(with(eval_arguments(root / "run", "3"), {"--max-new-tokens", "4", "--force-new"}));
    ASSERT_EQ(forced.exit_code, 0) << forced.output;
    EXPECT_TRUE(std::filesystem::exists(root / "run-2/predictions.jsonl"));
    EXPECT_EQ(read_json_file(root / "run/manifest.json").at("decoding").at("max_new_tokens"), 16);
    EXPECT_EQ(read_json_file(root / "run-2/manifest.json").at("decoding").at("max_new_tokens"), 4);
}

TEST(ResumeCli, FlagsOfTheOtherEngineAreRejected) {
    const auto root = testing::make_temp_dir("engine-flags-cli");
    const auto run = testing::run_medvlm(with(eval_arguments(root / "run", "2"), {"--concurrency", "8"}));
    EXPECT_EQ(run.exit_code, 2) << run.output;
    EXPECT_NE(run.output.find("--concurrency does not apply to --engine llama"), std::string::npos) << run.output;

    const auto data = testing::shared_data_dir();
    const auto remote = testing::run_medvlm({"eval", "--benchmark", "slake", "--data",
                                             (data / "slake/test.json").string(), "--image-root",
                                             (data / "slake/images").string(), "--engine", "openai", "--endpoint",
                                             "http://127.0.0.1:9/v1", "--model-name", "m", "--mmproj", "x.gguf",
                                             "--limit", "2", "--out", (root / "remote").string()});
    EXPECT_EQ(remote.exit_code, 2) << remote.output;
    EXPECT_NE(remote.output.find("--mmproj does not apply to --engine openai"), std::string::npos) << remote.output;
}

}  // namespace
}  // namespace medvlm
