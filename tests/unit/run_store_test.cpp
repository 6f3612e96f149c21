// The run store, the manifest comparison, --shard and the progress line.

#include <gtest/gtest.h>
#include <sqlite3.h>

#include "core/error.hpp"
#include "run/manifest.hpp"
#include "run/progress.hpp"
#include "run/run_store.hpp"
#include "run/shard.hpp"
#include "support/test_support.hpp"

namespace medvlm {
namespace {

nlohmann::json sample_manifest() {
    return {{"schema", kManifestSchema},
            {"created_at", "2024-01-01T00:00:00Z"},
            {"benchmark", "slake"},
            {"protocol", {{"modes", {"image+text", "text-only"}}, {"rotations", 1}}},
            {"engine", {{"kind", "scripted"}, {"model_sha256", "abc"}}},
            {"execution", {{"shard", "1/1"}}}};
}

Prediction sample_prediction(const std::string& id, bool ok, const std::string& output) {
    Prediction prediction;
    prediction.id = id;
    prediction.mode = AblationMode::ImageText;
    prediction.ok = ok;
    prediction.error = ok ? "" : "HTTP 500: busy";
    prediction.raw_output = output;
    prediction.extracted = output;
    return prediction;
}

std::filesystem::path store_path(const std::string& label) {
    return testing::make_temp_dir(label) / kRunStoreFile;
}

TEST(RunStore, CommittedPredictionsSurviveReopening) {
    const auto path = store_path("store-reopen");
    {
        RunStore store = RunStore::open_for_writing(path);
        EXPECT_FALSE(store.run().has_value());
        store.initialize(sample_manifest(), ShardSpec{2, 3});
        store.commit({sample_prediction("q1", true, "yes"), sample_prediction("q2", false, "")});
    }
    const RunStore store = RunStore::open_read_only(path);
    const auto run = store.run();
    ASSERT_TRUE(run.has_value());
    EXPECT_EQ(run->manifest_hash, manifest_hash(sample_manifest()));
    EXPECT_EQ(run->shard.to_string(), "2/3");
    const auto predictions = store.load_predictions();
    ASSERT_EQ(predictions.size(), 2u);
    EXPECT_EQ(predictions.at("q1|image+text|0").raw_output, "yes");
    EXPECT_FALSE(predictions.at("q2|image+text|0").ok);
    EXPECT_EQ(predictions.at("q2|image+text|0").error, "HTTP 500: busy");
}

TEST(RunStore, RetryReplacesOnlyFailedCalls) {
    RunStore store = RunStore::open_for_writing(store_path("store-retry"));
    store.initialize(sample_manifest(), ShardSpec{});
    store.commit({sample_prediction("q1", false, "")});
    store.commit({sample_prediction("q1", true, "no")});
    EXPECT_EQ(store.load_predictions().at("q1|image+text|0").raw_output, "no");
    EXPECT_EQ(store.load_attempts().at("q1|image+text|0"), 2);

    // An answered call committed again means it ran twice: rejected, and
    // the whole batch is rolled back.
    EXPECT_THROW(store.commit({sample_prediction("q2", true, "a"), sample_prediction("q1", true, "other")}), Error);
    const auto predictions = store.load_predictions();
    EXPECT_EQ(predictions.count("q2|image+text|0"), 0u);
    EXPECT_EQ(predictions.at("q1|image+text|0").raw_output, "no");
}

TEST(RunStore, SecondWriterIsRejected) {
    const auto path = store_path("store-lock");
    RunStore first = RunStore::open_for_writing(path);
    first.initialize(sample_manifest(), ShardSpec{});
    try {
        (void)RunStore::open_for_writing(path);
        FAIL() << "a second writer opened the store";
    } catch (const InputError& e) {
        EXPECT_NE(std::string(e.what()).find("in use by another medvlm process"), std::string::npos) << e.what();
    }
    EXPECT_NO_THROW((void)RunStore::open_read_only(path));
}

TEST(RunStore, EditedManifestIsDetected) {
    const auto path = store_path("store-edit");
    {
        RunStore store = RunStore::open_for_writing(path);
        store.initialize(sample_manifest(), ShardSpec{});
    }
    sqlite3* db = nullptr;
    ASSERT_EQ(sqlite3_open(path.c_str(), &db), SQLITE_OK);
    ASSERT_EQ(sqlite3_exec(db, "UPDATE run SET manifest = replace(manifest, 'slake', 'vqa-rad')", nullptr, nullptr,
                           nullptr),
              SQLITE_OK);
    sqlite3_close(db);
    EXPECT_THROW((void)RunStore::open_read_only(path), InputError);
}

TEST(RunStore, MissingStoreIsAnInputError) {
    EXPECT_THROW((void)RunStore::open_read_only(testing::make_temp_dir("store-missing") / kRunStoreFile), InputError);
}

TEST(ManifestHash, IgnoresCreationTimeAndExecution) {
    nlohmann::json other = sample_manifest();
    other["created_at"] = "2030-01-01T00:00:00Z";
    other["execution"] = {{"shard", "2/4"}, {"engine", {{"endpoints", {"http://127.0.0.1:9/v1"}}}}};
    EXPECT_EQ(manifest_hash(sample_manifest()), manifest_hash(other));
    EXPECT_TRUE(manifest_differences(sample_manifest(), other).empty());

    other["engine"]["model_sha256"] = "def";
    EXPECT_NE(manifest_hash(sample_manifest()), manifest_hash(other));
}

TEST(ManifestDifferences, ListsEachChangedField) {
    nlohmann::json other = sample_manifest();
    other["protocol"]["modes"] = {"text-only"};
    other["engine"]["model_sha256"] = "def";
    other["engine"]["extra"] = 1;
    const auto differences = manifest_differences(sample_manifest(), other);
    ASSERT_EQ(differences.size(), 3u);
    EXPECT_EQ(differences[0], "engine.extra (absent in the stored run, now 1)");
    EXPECT_EQ(differences[1], "engine.model_sha256 (stored \"abc\", now \"def\")");
    EXPECT_EQ(differences[2], "protocol.modes (stored [\"image+text\",\"text-only\"], now [\"text-only\"])");
}

TEST(Shard, ParsesOneBasedIndex) {
    const ShardSpec shard = parse_shard("2/3");
    EXPECT_EQ(shard.index, 2);
    EXPECT_EQ(shard.count, 3);
    EXPECT_FALSE(shard.contains_row(0));
    EXPECT_TRUE(shard.contains_row(1));
    EXPECT_TRUE(shard.contains_row(4));
    EXPECT_TRUE(parse_shard("1/1").is_whole_run());
}

TEST(Shard, RejectsMalformedSpecs) {
    for (const char* text : {"", "1", "0/2", "3/2", "1/0", "a/b", "1/2x", "-1/2", "1//2"}) {
        EXPECT_THROW((void)parse_shard(text), InputError) << text;
    }
}

TEST(Shard, EveryRowInExactlyOneShard) {
    for (int count = 1; count <= 5; ++count) {
        for (size_t row = 0; row < 40; ++row) {
            int owners = 0;
            for (int index = 1; index <= count; ++index) {
                owners += ShardSpec{index, count}.contains_row(row) ? 1 : 0;
            }
            EXPECT_EQ(owners, 1) << "row " << row << " of " << count << " shards";
        }
    }
}

TEST(Progress, FormatsDurations) {
    EXPECT_EQ(format_duration(0), "0s");
    EXPECT_EQ(format_duration(59.4), "59s");
    EXPECT_EQ(format_duration(125), "2m05s");
    EXPECT_EQ(format_duration(3 * 3600 + 7 * 60 + 30), "3h07m");
    EXPECT_EQ(format_duration(-1), "unknown");
}

TEST(Progress, LineShowsDoneTotalRateAndEta) {
    ProgressReporter progress(100, 40, false);
    progress.update(40, 0);
    const auto start = ProgressReporter::Clock::now();
    const std::string before = progress.describe(start);
    EXPECT_NE(before.find("40/100 calls (40.0 %)"), std::string::npos) << before;
    EXPECT_NE(before.find("ETA unknown"), std::string::npos) << before;

    progress.update(50, 2);
    // Ten calls this session over at least 10 s: at most 1 call/s, so the
    // remaining fifty take at least 50 s.
    const std::string later = progress.describe(start + std::chrono::seconds(10));
    EXPECT_NE(later.find("50/100 calls (50.0 %), 2 failed"), std::string::npos) << later;
    EXPECT_EQ(later.find("ETA unknown"), std::string::npos) << later;
    EXPECT_EQ(later.find("ETA 0s"), std::string::npos) << later;
}

}  // namespace
}  // namespace medvlm
