// Resuming, sharding and merging runs through run_eval and merge_runs, with
// an engine whose replies and failures the test controls.

#include <gtest/gtest.h>

#include <functional>

#include "core/error.hpp"
#include "core/files.hpp"
#include "core/sha256.hpp"
#include "run/eval_runner.hpp"
#include "run/merge.hpp"
#include "run/run_store.hpp"
#include "support/test_support.hpp"

namespace medvlm {
namespace {

// Replies "yes" or "no" from a hash of the prompt, so every run gives the
// same replies. Fails the calls `fails` selects, and stops the whole run
// (as a crash would) after `stop_after` calls.
class ControlledEngine : public Engine {
public:
    std::function<bool(const EngineRequest&)> fails = [](const EngineRequest&) { return false; };
    size_t stop_after = SIZE_MAX;
    std::string salt;  // changes every reply, for disagreeing runs
    std::vector<std::string> seen;  // user text + image count of every call run

    [[nodiscard]] nlohmann::json describe() const override { return {{"kind", "controlled"}}; }
    [[nodiscard]] bool supports_choice_logprob() const override { return false; }
    [[nodiscard]] EngineResult run(const EngineRequest& request) override {
        if (seen.size() >= stop_after) {
            throw EngineError("engine stopped");
        }
        seen.push_back(describe_request(request));
        EngineResult result;
        if (fails(request)) {
            result.ok = false;
            result.error = "HTTP 500: scripted failure";
            return result;
        }
        result.text = sha256_hex(salt + describe_request(request))[0] < '8' ? "yes" : "no";
        result.images_encoded = static_cast<int>(request.images.size());
        result.image_chunks = result.images_encoded;
        result.image_tokens = 8 * static_cast<int64_t>(request.images.size());
        result.prompt_tokens = 100 + result.image_tokens;
        return result;
    }

    static std::string describe_request(const EngineRequest& request) {
        return request.user_text + "#" + std::to_string(request.images.size());
    }
};

EvalConfig slake_config(size_t limit, const std::filesystem::path& out_dir) {
    const auto data = testing::shared_data_dir();
    EvalConfig config;
    config.dataset.benchmark = Benchmark::Slake;
    config.dataset.data_file = data / "slake/test.json";
    config.dataset.image_root = data / "slake/images";
    config.dataset.limit = limit;
    config.out_dir = out_dir;
    return config;
}

// predictions.jsonl without timings, which differ between executions.
std::vector<nlohmann::json> comparable_predictions(const std::filesystem::path& dir) {
    auto rows = testing::read_jsonl(dir / "predictions.jsonl");
    for (auto& row : rows) {
        row.erase("timings_ms");
    }
    return rows;
}

nlohmann::json comparable_summary(const std::filesystem::path& dir) {
    auto summary = read_json_file(dir / "summary.json");
    summary.erase("completeness");
    return summary;
}

TEST(Resume, InterruptedRunEqualsUninterruptedRun) {
    const auto root = testing::make_temp_dir("resume");
    const EvalConfig config = slake_config(12, root / "resumed");
    const Dataset dataset = load_dataset(config.dataset);

    ControlledEngine crashing;
    crashing.stop_after = 7;
    EXPECT_THROW((void)run_eval(config, dataset, crashing), EngineError);
    EXPECT_EQ(RunStore::open_read_only(config.out_dir / kRunStoreFile).load_predictions().size(), 7u);

    ControlledEngine resuming;
    const EvalOutcome resumed = run_eval(config, dataset, resuming);
    EXPECT_TRUE(resumed.resumed);
    EXPECT_EQ(resuming.seen.size(), 24u - 7u);  // only the missing calls ran
    EXPECT_EQ(resumed.calls_run, 17u);
    EXPECT_TRUE(resumed.completeness.complete());

    ControlledEngine uninterrupted;
    const EvalConfig whole = slake_config(12, root / "whole");
    (void)run_eval(whole, dataset, uninterrupted);
    EXPECT_EQ(uninterrupted.seen.size(), 24u);

    EXPECT_EQ(comparable_predictions(config.out_dir), comparable_predictions(whole.out_dir));
    EXPECT_EQ(comparable_summary(config.out_dir), comparable_summary(whole.out_dir));

    // A third session finds nothing left to do.
    ControlledEngine idle;
    const EvalOutcome again = run_eval(config, dataset, idle);
    EXPECT_TRUE(idle.seen.empty());
    EXPECT_EQ(again.calls_run, 0u);
}

TEST(Resume, RerunRetriesOnlyFailedCalls) {
    const EvalConfig config = slake_config(10, testing::make_temp_dir("retry-failed") / "run");
    const Dataset dataset = load_dataset(config.dataset);

    ControlledEngine flaky;
    flaky.fails = [](const EngineRequest& request) { return !request.images.empty(); };
    const EvalOutcome first = run_eval(config, dataset, flaky);
    EXPECT_EQ(first.completeness.failed, 10u);
    EXPECT_EQ(first.completeness.answered, 10u);
    EXPECT_FALSE(first.summary.at("completeness").at("complete").get<bool>());
    for (const auto& row : testing::read_jsonl(config.out_dir / "predictions.jsonl")) {
        if (row.at("mode") == "image+text") {
            EXPECT_FALSE(row.at("ok").get<bool>());
            EXPECT_EQ(row.at("error"), "HTTP 500: scripted failure");
        }
    }

    ControlledEngine healthy;
    const EvalOutcome second = run_eval(config, dataset, healthy);
    ASSERT_EQ(healthy.seen.size(), 10u);
    for (const auto& call : healthy.seen) {
        EXPECT_EQ(call.substr(call.size() - 2), "#1") << "an answered text-only call ran again: " << call;
    }
    EXPECT_TRUE(second.completeness.complete());
    const auto attempts = RunStore::open_read_only(config.out_dir / kRunStoreFile).load_attempts();
    EXPECT_EQ(attempts.size(), 20u);
    for (const auto& [key, count] : attempts) {
        EXPECT_EQ(count, key.find("|image+text|") != std::string::npos ? 2 : 1) << key;
    }
}

TEST(Resume, DifferentManifestIsRejectedWithItsFields) {
    const auto root = testing::make_temp_dir("resume-differs");
    EvalConfig config = slake_config(3, root / "run");
    const Dataset dataset = load_dataset(config.dataset);
    ControlledEngine engine;
    (void)run_eval(config, dataset, engine);
    const std::string predictions_before = read_file(config.out_dir / "predictions.jsonl");

    config.modes = {AblationMode::TextOnly};
    config.max_new_tokens = 5;
    try {
        (void)run_eval(config, dataset, engine);
        FAIL() << "a run with other modes resumed the stored run";
    } catch (const InputError& e) {
        const std::string message = e.what();
        EXPECT_NE(message.find("protocol.modes"), std::string::npos) << message;
        EXPECT_NE(message.find("decoding.max_new_tokens"), std::string::npos) << message;
        EXPECT_NE(message.find("--force-new"), std::string::npos) << message;
    }
    EXPECT_EQ(read_file(config.out_dir / "predictions.jsonl"), predictions_before);

    config.force_new = true;
    const EvalOutcome fresh = run_eval(config, dataset, engine);
    EXPECT_EQ(fresh.out_dir, root / "run-2");
    EXPECT_EQ(testing::read_jsonl(fresh.out_dir / "predictions.jsonl").size(), 3u);
    EXPECT_EQ(read_file(config.out_dir / "predictions.jsonl"), predictions_before);
}

TEST(Resume, ShardMismatchIsRejected) {
    EvalConfig config = slake_config(4, testing::make_temp_dir("resume-shard") / "run");
    config.shard = ShardSpec{1, 2};
    const Dataset dataset = load_dataset(config.dataset);
    ControlledEngine engine;
    (void)run_eval(config, dataset, engine);
    config.shard = ShardSpec{2, 2};
    try {
        (void)run_eval(config, dataset, engine);
        FAIL() << "shard 2/2 resumed the directory of shard 1/2";
    } catch (const InputError& e) {
        EXPECT_NE(std::string(e.what()).find("contains shard 1/2"), std::string::npos) << e.what();
    }
}

TEST(Resume, DirectoryWithOtherFilesIsRejected) {
    const auto dir = testing::make_temp_dir("resume-foreign");
    testing::write_text(dir / "notes.txt", "not a run");
    const EvalConfig config = slake_config(2, dir);
    const Dataset dataset = load_dataset(config.dataset);
    ControlledEngine engine;
    EXPECT_THROW((void)run_eval(config, dataset, engine), InputError);
    EXPECT_TRUE(engine.seen.empty());
}

TEST(Merge, ShardsMergeIntoTheUnshardedRun) {
    const auto root = testing::make_temp_dir("merge");
    const EvalConfig whole = slake_config(11, root / "whole");
    const Dataset dataset = load_dataset(whole.dataset);
    ControlledEngine engine;
    (void)run_eval(whole, dataset, engine);

    MergeOptions merge;
    for (int index = 1; index <= 3; ++index) {
        EvalConfig shard = slake_config(11, root / ("shard" + std::to_string(index)));
        shard.shard = ShardSpec{index, 3};
        ControlledEngine shard_engine;
        const EvalOutcome outcome = run_eval(shard, dataset, shard_engine);
        EXPECT_EQ(outcome.completeness.planned, index == 3 ? 6u : 8u);  // rows 2, 5, 8 x two modes
        merge.inputs.push_back(shard.out_dir);
    }
    merge.out_dir = root / "merged";
    const MergeOutcome merged = merge_runs(merge);
    EXPECT_TRUE(merged.completeness.complete());
    EXPECT_EQ(merged.duplicates, 0u);
    EXPECT_EQ(comparable_predictions(merge.out_dir), comparable_predictions(whole.out_dir));
    EXPECT_EQ(comparable_summary(merge.out_dir), comparable_summary(whole.out_dir));
    EXPECT_EQ(read_json_file(merge.out_dir / "manifest.json").at("execution").at("merged_from").size(), 3u);
}

TEST(Merge, GapsAreReportedAndCanBeFilled) {
    const auto root = testing::make_temp_dir("merge-gaps");
    EvalConfig first = slake_config(6, root / "first");
    first.shard = ShardSpec{1, 2};
    const Dataset dataset = load_dataset(first.dataset);
    ControlledEngine engine;
    (void)run_eval(first, dataset, engine);

    MergeOptions merge;
    merge.inputs = {first.out_dir};
    merge.out_dir = root / "merged";
    const MergeOutcome merged = merge_runs(merge);
    EXPECT_FALSE(merged.completeness.complete());
    EXPECT_EQ(merged.completeness.missing_keys.size(), 6u);
    EXPECT_EQ(merged.summary.at("completeness").at("missing").get<size_t>(), 6u);

    // The merged directory resumes like any run: only the gaps run.
    ControlledEngine filler;
    const EvalOutcome filled = run_eval(slake_config(6, merge.out_dir), dataset, filler);
    EXPECT_EQ(filler.seen.size(), 6u);
    EXPECT_TRUE(filled.completeness.complete());
}

TEST(Merge, DisagreeingDuplicatesAreRejected) {
    const auto root = testing::make_temp_dir("merge-disagree");
    const Dataset dataset = load_dataset(slake_config(8, root / "unused").dataset);
    ControlledEngine one;
    (void)run_eval(slake_config(8, root / "one"), dataset, one);
    ControlledEngine other;
    other.salt = "different weights";
    (void)run_eval(slake_config(8, root / "other"), dataset, other);

    MergeOptions merge;
    merge.inputs = {root / "one", root / "other"};
    merge.out_dir = root / "merged";
    try {
        (void)merge_runs(merge);
        FAIL() << "disagreeing answers were merged";
    } catch (const InputError& e) {
        const std::string message = e.what();
        EXPECT_NE(message.find("different answers"), std::string::npos) << message;
        EXPECT_NE(message.find("raw_output"), std::string::npos) << message;
    }
    EXPECT_FALSE(std::filesystem::exists(merge.out_dir));

    // Agreeing copies of the same calls merge, counted as duplicates.
    ControlledEngine same;
    (void)run_eval(slake_config(8, root / "same"), dataset, same);
    merge.inputs = {root / "one", root / "same"};
    const MergeOutcome merged = merge_runs(merge);
    EXPECT_EQ(merged.duplicates, 16u);
    EXPECT_TRUE(merged.completeness.complete());
}

TEST(Merge, DifferentManifestsAreRejected) {
    const auto root = testing::make_temp_dir("merge-manifests");
    EvalConfig a = slake_config(3, root / "a");
    const Dataset dataset = load_dataset(a.dataset);
    ControlledEngine engine;
    (void)run_eval(a, dataset, engine);
    EvalConfig b = slake_config(3, root / "b");
    b.seed = 9;
    (void)run_eval(b, dataset, engine);

    MergeOptions merge;
    merge.inputs = {a.out_dir, b.out_dir};
    merge.out_dir = root / "merged";
    try {
        (void)merge_runs(merge);
        FAIL() << "runs of different manifests were merged";
    } catch (const InputError& e) {
        EXPECT_NE(std::string(e.what()).find("protocol.seed"), std::string::npos) << e.what();
    }
}

}  // namespace
}  // namespace medvlm
