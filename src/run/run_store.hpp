#pragma once
// The run store: RUN_DIR/run.sqlite, the one place a run's results live.
//
// Every scored call is committed here (SQLite, WAL journal, synchronous=FULL)
// before it counts as done, keyed by the manifest hash and (example id,
// mode, rotation); predictions.jsonl and summary.json are written from it.
// A killed process therefore loses at most the calls it had not committed,
// and rerunning the same command runs only those.
//
//   RunStore store = RunStore::open_for_writing(dir / "run.sqlite");
//   store.initialize(manifest, shard);      // once, for a new store
//   store.commit(scored_batch);             // one transaction per batch
//   auto stored = store.load_predictions(); // key() -> prediction
//
// One process writes a store at a time: open_for_writing takes an exclusive
// lock (flock on RUN_DIR/run.sqlite.lock) that the kernel releases when the
// process ends, even by SIGKILL.

#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "run/prediction.hpp"
#include "run/shard.hpp"

struct sqlite3;

namespace medvlm {

inline constexpr const char* kRunStoreFile = "run.sqlite";
inline constexpr const char* kRunStoreSchema = "medvlm-run-store/1";

struct StoredRun {
    nlohmann::json manifest;
    std::string manifest_hash;
    ShardSpec shard;
};

class RunStore {
public:
    // Creates the database when missing. Throws InputError when another
    // process has the store open for writing or the file is not a medvlm
    // run store.
    [[nodiscard]] static RunStore open_for_writing(const std::filesystem::path& path);
    // Opens an existing store without locking it (for merge and for tests
    // that watch a running eval). Throws InputError when it is missing.
    [[nodiscard]] static RunStore open_read_only(const std::filesystem::path& path);

    RunStore(RunStore&&) noexcept;
    RunStore& operator=(RunStore&&) noexcept;
    ~RunStore();

    // The run this store belongs to; nullopt for a store never initialized.
    [[nodiscard]] std::optional<StoredRun> run() const;

    // Records the manifest and shard of a new store. Throws Error when the
    // store already belongs to a run.
    void initialize(const nlohmann::json& manifest, const ShardSpec& shard);

    // Commits the predictions in one transaction. A failed call stored
    // earlier is replaced by its retry; an answered call is never replaced,
    // so committing one again is an error (the caller scheduled it twice).
    void commit(const std::vector<Prediction>& predictions);

    // Every stored prediction of this run, by Prediction::key().
    [[nodiscard]] std::map<std::string, Prediction> load_predictions() const;

    // How many times each stored call was attempted (1 + retries), by key.
    [[nodiscard]] std::map<std::string, int> load_attempts() const;

    [[nodiscard]] const std::filesystem::path& path() const { return path_; }

private:
    RunStore(std::filesystem::path path, sqlite3* db, int lock_fd);
    void create_schema();
    [[nodiscard]] bool has_schema() const;
    [[nodiscard]] const std::string& require_hash() const;

    std::filesystem::path path_;
    sqlite3* db_ = nullptr;
    int lock_fd_ = -1;
    mutable std::string hash_;  // cached manifest hash
};

}  // namespace medvlm
