#include "compare/compared_run.hpp"

#include "core/error.hpp"
#include "core/files.hpp"
#include "run/run_store.hpp"

namespace medvlm {

std::string run_label(size_t index) {
    if (index < 26) {
        return std::string("run ") + static_cast<char>('A' + index);
    }
    return "run " + std::to_string(index + 1);
}

ComparedRun load_compared_run(const std::filesystem::path& dir, const std::string& label) {
    const std::string rewrite = "; write the run's files again with this medvlm version (medvlm eval with the same "
                                "settings and --out " + dir.string() + ", which runs nothing when the run is "
                                "complete, or medvlm merge " + dir.string() + " --out NEW_DIR)";
    RunStore store = RunStore::open_read_only(dir / kRunStoreFile);
    const auto stored = store.run();
    if (!stored) {
        throw InputError((dir / kRunStoreFile).string() + ": the run store holds no run; run medvlm eval first");
    }

    ComparedRun run;
    run.dir = dir;
    run.label = label;
    run.manifest = stored->manifest;
    run.manifest_hash = stored->manifest_hash;
    run.predictions = store.load_predictions();

    const auto summary_path = dir / "summary.json";
    run.summary = read_json_file(summary_path);
    if (!run.summary.contains("statistics")) {
        throw InputError(summary_path.string() + ": the summary has no intervals (no \"statistics\" section)" + rewrite);
    }
    size_t answered = 0;
    for (const auto& [key, prediction] : run.predictions) {
        answered += prediction.ok ? 1 : 0;
    }
    const auto& completeness = run.summary.at("completeness");
    if (completeness.at("answered").get<size_t>() != answered) {
        throw InputError(summary_path.string() + ": the summary counts " +
                         std::to_string(completeness.at("answered").get<size_t>()) + " answered calls but " +
                         (dir / kRunStoreFile).string() + " holds " + std::to_string(answered) +
                         ", so the summary is out of date" + rewrite);
    }

    const auto index_path = dir / kExampleIndexFile;
    if (!std::filesystem::exists(index_path)) {
        throw InputError(index_path.string() + ": missing" + rewrite);
    }
    run.examples = ExampleIndex::from_jsonl(read_file(index_path), index_path.string());
    return run;
}

}  // namespace medvlm
