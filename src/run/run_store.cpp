#include "run/run_store.hpp"

#include <fcntl.h>
#include <sqlite3.h>
#include <sys/file.h>
#include <unistd.h>

#include <chrono>

#include <fmt/chrono.h>
#include <fmt/format.h>

#include "core/error.hpp"
#include "core/text.hpp"
#include "run/manifest.hpp"

namespace medvlm {
namespace {

// Maps an SQLite failure to medvlm's errors. A damaged, locked or
// unwritable store is a run-directory problem (InputError, exit 2) whose
// message names the fix. Any other status is an unexpected error.
[[noreturn]] void throw_sqlite_error(int status, const std::string& reason, const std::filesystem::path& path,
                                     const std::string& action) {
    const std::string where = path.string() + ": " + action + " failed (" + reason + ")";
    switch (status & 0xFF) {
        case SQLITE_NOTADB:
        case SQLITE_CORRUPT:
            throw InputError(where + "; the run store is damaged. Move the run directory aside and start the run in "
                                     "a new --out, or pass --force-new");
        case SQLITE_BUSY:
        case SQLITE_LOCKED:
            throw InputError(where + "; another program holds a lock on the run store. Close it (an SQLite browser, "
                                     "a backup tool) and rerun");
        case SQLITE_READONLY:
        case SQLITE_CANTOPEN:
        case SQLITE_PERM:
        case SQLITE_AUTH:
            throw InputError(where + "; check that the run directory and its files are writable");
        default:
            throw Error(where);
    }
}

// A prepared statement, finalized on scope exit.
class Statement {
public:
    Statement(sqlite3* db, const char* sql, const std::filesystem::path& path) : db_(db), path_(path) {
        const int status = sqlite3_prepare_v2(db, sql, -1, &statement_, nullptr);
        if (status != SQLITE_OK) {
            throw_sqlite_error(status, sqlite3_errmsg(db), path, "reading the run store");
        }
    }
    Statement(const Statement&) = delete;
    Statement& operator=(const Statement&) = delete;
    ~Statement() { sqlite3_finalize(statement_); }

    void bind(int index, const std::string& text) {
        check(sqlite3_bind_text(statement_, index, text.data(), static_cast<int>(text.size()), SQLITE_TRANSIENT));
    }
    void bind(int index, int64_t value) { check(sqlite3_bind_int64(statement_, index, value)); }

    // True while a row is available.
    bool step() {
        const int status = sqlite3_step(statement_);
        if (status == SQLITE_ROW) {
            return true;
        }
        if (status != SQLITE_DONE) {
            throw_sqlite_error(status, sqlite3_errmsg(db_), path_, "an SQLite statement");
        }
        return false;
    }
    void reset() {
        sqlite3_reset(statement_);
        sqlite3_clear_bindings(statement_);
    }

    [[nodiscard]] std::string text(int column) const {
        const auto* value = reinterpret_cast<const char*>(sqlite3_column_text(statement_, column));
        const int size = sqlite3_column_bytes(statement_, column);
        return value == nullptr ? std::string() : std::string(value, static_cast<size_t>(size));
    }
    [[nodiscard]] int64_t integer(int column) const { return sqlite3_column_int64(statement_, column); }

private:
    void check(int status) const {
        if (status != SQLITE_OK) {
            throw Error(path_.string() + ": SQLite cannot bind a value (" + sqlite3_errmsg(db_) + ")");
        }
    }

    sqlite3* db_;
    const std::filesystem::path& path_;
    sqlite3_stmt* statement_ = nullptr;
};

void execute(sqlite3* db, const char* sql, const std::filesystem::path& path) {
    char* message = nullptr;
    const int status = sqlite3_exec(db, sql, nullptr, nullptr, &message);
    if (status != SQLITE_OK) {
        const std::string reason = message == nullptr ? sqlite3_errmsg(db) : message;
        sqlite3_free(message);
        throw_sqlite_error(status, reason, path, "SQLite '" + std::string(sql).substr(0, 40) + "'");
    }
}

sqlite3* open_database(const std::filesystem::path& path, int flags) {
    sqlite3* db = nullptr;
    const int status = sqlite3_open_v2(path.string().c_str(), &db, flags, nullptr);
    if (status != SQLITE_OK) {
        const std::string reason = db == nullptr ? "out of memory" : sqlite3_errmsg(db);
        sqlite3_close(db);
        throw_sqlite_error(status, reason, path, "opening the run store");
    }
    // Readers (merge, a test watching a running eval) wait for a writer's
    // commit instead of failing with SQLITE_BUSY.
    sqlite3_busy_timeout(db, 10'000);
    return db;
}

// Returns "medvlm 0.1.0 (commit abc123)" from a manifest's "medvlm" section,
// or "another medvlm version" when the manifest has no version.
std::string describe_writer(const nlohmann::json& manifest) {
    const auto medvlm = manifest.is_object() ? manifest.find("medvlm") : manifest.end();
    if (medvlm == manifest.end() || !medvlm->is_object()) {
        return "another medvlm version";
    }
    const auto field = [&](const char* key) {
        const auto it = medvlm->find(key);
        return it != medvlm->end() && it->is_string() ? it->get<std::string>() : std::string("unknown");
    };
    return "medvlm " + field("version") + " (commit " + field("git_commit") + ")";
}

std::string utc_now() {
    const auto now = std::chrono::system_clock::to_time_t(std::chrono::system_clock::now());
    return fmt::format("{:%Y-%m-%dT%H:%M:%SZ}", fmt::gmtime(now));
}

// Predictions keep their timings in the store; mode names are stored as
// text so the database reads on its own.
constexpr const char* kSchemaSql = R"sql(
CREATE TABLE IF NOT EXISTS run (
    singleton INTEGER PRIMARY KEY CHECK (singleton = 1),
    schema TEXT NOT NULL,
    manifest_hash TEXT NOT NULL,
    manifest TEXT NOT NULL,
    shard TEXT NOT NULL,
    created_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS calls (
    manifest_hash TEXT NOT NULL,
    id TEXT NOT NULL,
    mode TEXT NOT NULL,
    rotation INTEGER NOT NULL,
    ok INTEGER NOT NULL,
    attempts INTEGER NOT NULL,
    prediction TEXT NOT NULL,
    committed_at TEXT NOT NULL,
    PRIMARY KEY (manifest_hash, id, mode, rotation)
) WITHOUT ROWID;
)sql";

}  // namespace

RunStore::RunStore(std::filesystem::path path, sqlite3* db, int lock_fd)
    : path_(std::move(path)), db_(db), lock_fd_(lock_fd) {}

RunStore::RunStore(RunStore&& other) noexcept
    : path_(std::move(other.path_)), db_(other.db_), lock_fd_(other.lock_fd_), hash_(std::move(other.hash_)) {
    other.db_ = nullptr;
    other.lock_fd_ = -1;
}

RunStore& RunStore::operator=(RunStore&& other) noexcept {
    if (this != &other) {
        sqlite3_close(db_);
        if (lock_fd_ >= 0) {
            ::close(lock_fd_);
        }
        path_ = std::move(other.path_);
        db_ = other.db_;
        lock_fd_ = other.lock_fd_;
        hash_ = std::move(other.hash_);
        other.db_ = nullptr;
        other.lock_fd_ = -1;
    }
    return *this;
}

RunStore::~RunStore() {
    sqlite3_close(db_);
    if (lock_fd_ >= 0) {
        ::close(lock_fd_);  // releases the flock
    }
}

RunStore RunStore::open_for_writing(const std::filesystem::path& path) {
    const std::string lock_path = path.string() + ".lock";
    const int lock_fd = ::open(lock_path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    if (lock_fd < 0) {
        throw InputError(lock_path + ": cannot create the run store lock file (is the run directory writable?)");
    }
    if (::flock(lock_fd, LOCK_EX | LOCK_NB) != 0) {
        ::close(lock_fd);
        throw InputError(path.string() +
                         ": the run store is in use by another medvlm process; wait for it to finish or stop it");
    }

    sqlite3* db = nullptr;
    try {
        db = open_database(path, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE);
    } catch (...) {
        ::close(lock_fd);
        throw;
    }
    RunStore store(path, db, lock_fd);
    execute(db, "PRAGMA journal_mode=WAL;", path);
    // FULL makes each commit durable across power loss as well, not only
    // across a killed process. One fsync per batch costs little next to a
    // model call.
    execute(db, "PRAGMA synchronous=FULL;", path);
    store.create_schema();
    return store;
}

RunStore RunStore::open_read_only(const std::filesystem::path& path) {
    std::error_code ec;
    if (!std::filesystem::is_regular_file(path, ec)) {
        throw InputError(path.string() + ": run store not found (is this a medvlm run directory?)");
    }
    sqlite3* db = open_database(path, SQLITE_OPEN_READONLY);
    RunStore store(path, db, -1);
    if (!store.has_schema() || !store.run()) {
        throw InputError(path.string() + ": the run store contains no run (the eval that created it stopped before "
                                         "its first call; rerun that eval)");
    }
    return store;
}

bool RunStore::has_schema() const {
    Statement tables(db_, "SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name IN ('run', 'calls')",
                     path_);
    return tables.step() && tables.integer(0) == 2;
}

void RunStore::create_schema() {
    execute(db_, kSchemaSql, path_);
    if (!has_schema()) {
        throw InputError(path_.string() + ": not a medvlm run store");
    }
}

std::optional<StoredRun> RunStore::run() const {
    Statement query(db_, "SELECT schema, manifest_hash, manifest, shard FROM run WHERE singleton = 1", path_);
    if (!query.step()) {
        return std::nullopt;
    }
    if (query.text(0) != kRunStoreSchema) {
        throw InputError(path_.string() + ": run store schema '" + query.text(0) + "' is not " + kRunStoreSchema +
                         " (written by another medvlm version); start a new run directory");
    }
    StoredRun stored;
    try {
        stored.manifest = nlohmann::json::parse(query.text(2));
    } catch (const nlohmann::json::exception& e) {
        throw InputError(path_.string() + ": the stored manifest is not valid JSON (" + e.what() + ")");
    }
    const auto schema = stored.manifest.is_object() ? stored.manifest.find("schema") : stored.manifest.end();
    if (schema == stored.manifest.end() || *schema != kManifestSchema) {
        throw InputError(path_.string() + ": the stored manifest has schema " +
                         (schema == stored.manifest.end() ? std::string("(none)") : excerpt(schema->dump())) + ", not " +
                         kManifestSchema + ": it was written by " + describe_writer(stored.manifest) +
                         ". Use that medvlm version for this run directory, or start a new one");
    }
    stored.manifest_hash = query.text(1);
    stored.shard = parse_shard(query.text(3));
    if (manifest_hash(stored.manifest) != stored.manifest_hash) {
        throw InputError(path_.string() + ": the stored manifest does not match its hash; the store was edited or "
                                          "damaged");
    }
    return stored;
}

void RunStore::initialize(const nlohmann::json& manifest, const ShardSpec& shard) {
    if (run()) {
        throw Error(path_.string() + ": the run store already belongs to a run");
    }
    Statement insert(db_,
                     "INSERT INTO run (singleton, schema, manifest_hash, manifest, shard, created_at) "
                     "VALUES (1, ?1, ?2, ?3, ?4, ?5)",
                     path_);
    insert.bind(1, std::string(kRunStoreSchema));
    insert.bind(2, manifest_hash(manifest));
    insert.bind(3, manifest.dump());
    insert.bind(4, shard.to_string());
    insert.bind(5, utc_now());
    (void)insert.step();
    hash_.clear();
}

const std::string& RunStore::require_hash() const {
    if (hash_.empty()) {
        const auto stored = run();
        if (!stored) {
            throw Error(path_.string() + ": the run store has no manifest yet");
        }
        hash_ = stored->manifest_hash;
    }
    return hash_;
}

void RunStore::commit(const std::vector<Prediction>& predictions) {
    if (predictions.empty()) {
        return;
    }
    const std::string& hash = require_hash();
    execute(db_, "BEGIN IMMEDIATE;", path_);
    try {
        Statement upsert(db_,
                         "INSERT INTO calls (manifest_hash, id, mode, rotation, ok, attempts, prediction, committed_at) "
                         "VALUES (?1, ?2, ?3, ?4, ?5, 1, ?6, ?7) "
                         "ON CONFLICT (manifest_hash, id, mode, rotation) DO UPDATE SET "
                         "ok = excluded.ok, attempts = calls.attempts + 1, prediction = excluded.prediction, "
                         "committed_at = excluded.committed_at "
                         "WHERE calls.ok = 0",
                         path_);
        const std::string now = utc_now();
        for (const auto& prediction : predictions) {
            upsert.reset();
            upsert.bind(1, hash);
            upsert.bind(2, prediction.id);
            upsert.bind(3, mode_name(prediction.mode));
            upsert.bind(4, int64_t{prediction.rotation});
            upsert.bind(5, int64_t{prediction.ok ? 1 : 0});
            upsert.bind(6, prediction.to_json().dump());
            upsert.bind(7, now);
            (void)upsert.step();
            if (sqlite3_changes(db_) != 1) {
                throw Error(path_.string() + ": call " + prediction.key() +
                            " is already stored as answered; it must not run twice");
            }
        }
        execute(db_, "COMMIT;", path_);
    } catch (...) {
        sqlite3_exec(db_, "ROLLBACK;", nullptr, nullptr, nullptr);
        throw;
    }
}

std::map<std::string, Prediction> RunStore::load_predictions() const {
    Statement query(db_, "SELECT id, mode, rotation, prediction FROM calls WHERE manifest_hash = ?1", path_);
    query.bind(1, require_hash());
    std::map<std::string, Prediction> predictions;
    while (query.step()) {
        const std::string where = path_.string() + ": stored call " + query.text(0) + "|" + query.text(1) + "|" +
                                  std::to_string(query.integer(2));
        nlohmann::json value;
        try {
            value = nlohmann::json::parse(query.text(3));
        } catch (const nlohmann::json::exception& e) {
            throw InputError(where + ": prediction is not valid JSON (" + e.what() + ")");
        }
        Prediction prediction;
        try {
            prediction = Prediction::from_json(value);
        } catch (const InputError& e) {
            throw InputError(where + ": " + e.what());
        }
        if (prediction.id != query.text(0) || mode_name(prediction.mode) != query.text(1) ||
            prediction.rotation != query.integer(2)) {
            throw InputError(where + ": the prediction's id, mode or rotation does not match its key");
        }
        predictions.emplace(prediction.key(), std::move(prediction));
    }
    return predictions;
}

std::map<std::string, int> RunStore::load_attempts() const {
    Statement query(db_, "SELECT id, mode, rotation, attempts FROM calls WHERE manifest_hash = ?1", path_);
    query.bind(1, require_hash());
    std::map<std::string, int> attempts;
    while (query.step()) {
        const std::string key = query.text(0) + "|" + query.text(1) + "|" + std::to_string(query.integer(2));
        attempts[key] = static_cast<int>(query.integer(3));
    }
    return attempts;
}

}  // namespace medvlm
