#include "run/run_directory.hpp"

#include <spdlog/spdlog.h>

#include "core/error.hpp"
#include "core/files.hpp"
#include "run/manifest.hpp"

namespace medvlm {
namespace {

namespace fs = std::filesystem;

bool is_missing_or_empty(const fs::path& dir) {
    std::error_code ec;
    if (!fs::exists(dir, ec)) {
        return true;
    }
    if (!fs::is_directory(dir, ec)) {
        throw InputError(dir.string() + ": --out names a file, not a directory; choose another --out");
    }
    return fs::is_empty(dir, ec);
}

// "runs/a/" and "runs/a" name the same directory; siblings are "runs/a-2".
fs::path without_trailing_separator(const fs::path& dir) {
    fs::path normal = dir.lexically_normal();
    if (normal.filename().empty() && normal.has_parent_path()) {
        normal = normal.parent_path();
    }
    return normal;
}

OpenedRun start_new_run(const fs::path& dir, const nlohmann::json& manifest, const ShardSpec& shard) {
    RunStore store = RunStore::open_for_writing(dir / kRunStoreFile);
    store.initialize(manifest, shard);
    write_json_atomic(dir / "manifest.json", manifest);
    return {dir, std::move(store), manifest, false};
}

[[noreturn]] void reject_different_manifest(const fs::path& dir, const nlohmann::json& stored,
                                            const nlohmann::json& current) {
    std::string message = dir.string() + ": the run directory contains a run with a different manifest, so it cannot "
                                         "be resumed. Differing fields:";
    for (const auto& difference : manifest_differences(stored, current)) {
        message += "\n  - " + difference;
    }
    message += "\nRun with the stored settings to resume it, choose a new --out, or pass --force-new to start "
               "over in a new directory next to it.";
    throw InputError(message);
}

}  // namespace

fs::path create_run_directory(const fs::path& requested, bool pick_sibling) {
    const fs::path base = without_trailing_separator(requested);
    std::error_code ec;
    if (is_missing_or_empty(base)) {
        fs::create_directories(base, ec);
        if (ec) {
            throw InputError(base.string() + ": cannot create the run directory (" + ec.message() + ")");
        }
        return base;
    }
    if (!pick_sibling) {
        throw InputError(base.string() + ": the directory exists and is not empty; choose a new --out");
    }
    for (int suffix = 2; suffix < 10'000; ++suffix) {
        const fs::path candidate = base.string() + "-" + std::to_string(suffix);
        // create_directory is atomic, so two processes never pick the same one.
        if (fs::create_directory(candidate, ec)) {
            return candidate;
        }
        if (ec) {
            throw InputError(candidate.string() + ": cannot create the run directory (" + ec.message() + ")");
        }
    }
    throw InputError(base.string() + ": no free name " + base.filename().string() +
                     "-N found for a new run directory; choose a new --out");
}

OpenedRun open_run_directory(const fs::path& out_dir, const nlohmann::json& manifest, const ShardSpec& shard,
                             bool force_new) {
    const fs::path dir = without_trailing_separator(out_dir);
    if (is_missing_or_empty(dir)) {
        return start_new_run(create_run_directory(dir, false), manifest, shard);
    }

    std::error_code ec;
    if (!fs::is_regular_file(dir / kRunStoreFile, ec)) {
        if (!force_new) {
            throw InputError(dir.string() + ": the directory is not empty and contains no medvlm run store (" +
                             kRunStoreFile + "); choose a new --out, or pass --force-new to start in a new "
                                             "directory next to it");
        }
    } else if (!force_new) {
        RunStore store = RunStore::open_for_writing(dir / kRunStoreFile);
        const auto stored = store.run();
        if (!stored) {
            // The process that created the store was stopped before it recorded
            // the manifest, so no call can have been stored either.
            store.initialize(manifest, shard);
            write_json_atomic(dir / "manifest.json", manifest);
            return {dir, std::move(store), manifest, false};
        }
        if (stored->manifest_hash != manifest_hash(manifest)) {
            reject_different_manifest(dir, stored->manifest, manifest);
        }
        if (stored->shard != shard) {
            throw InputError(dir.string() + ": the run directory contains shard " + stored->shard.to_string() +
                             " of this run, not " + shard.to_string() + "; pass --shard " +
                             stored->shard.to_string() + " to resume it, or choose another --out for shard " +
                             shard.to_string());
        }
        return {dir, std::move(store), stored->manifest, true};
    }

    const fs::path fresh = create_run_directory(dir, true);
    spdlog::warn("--force-new: {} is in use; starting the run over in {}", dir.string(), fresh.string());
    return start_new_run(fresh, manifest, shard);
}

}  // namespace medvlm
