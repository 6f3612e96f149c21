#include "report/report_markdown.hpp"

#include <fmt/format.h>

namespace medvlm {
namespace {

std::string percent(double value) { return fmt::format("{:.1f} %", 100.0 * value); }

std::string interval_text(const nlohmann::json& interval) {
    return fmt::format("{:.1f}-{:.1f} %", 100.0 * interval.at("lower").get<double>(),
                       100.0 * interval.at("upper").get<double>());
}

void write_header(const nlohmann::json& manifest, const nlohmann::json& summary, std::string& out) {
    const auto& engine = manifest.at("engine");
    out += fmt::format("# medvlm run: {} ({})\n\n", manifest.at("benchmark").get<std::string>(),
                       manifest.at("data").at("split").get<std::string>());
    if (summary.value("test_model", false)) {
        out += "> **Test model.** This run used a random-weight test model written by `medvlm make-tiny-model`. "
               "Its scores are noise and say nothing about medicine; the run only shows that the pipeline works.\n\n";
    }
    if (!summary.at("valid").get<bool>()) {
        out += "> **INVALID RUN.** ";
        for (const auto& reason : summary.at("invalid_reasons")) {
            out += reason.get<std::string>() + ". ";
        }
        out += "Do not report these numbers.\n\n";
    }
    out += fmt::format("- Data: `{}` (SHA-256 `{}`), split `{}`{}\n", manifest.at("data").at("file").get<std::string>(),
                       manifest.at("data").at("sha256").get<std::string>().substr(0, 12),
                       manifest.at("data").at("split").get<std::string>(),
                       manifest.at("data").at("lang").get<std::string>().empty()
                           ? ""
                           : ", language `" + manifest.at("data").at("lang").get<std::string>() + "`");
    out += fmt::format("- Engine: {} `{}`", engine.value("kind", "?"), engine.value("model", engine.value("model_name", "?")));
    if (engine.contains("mmproj")) {
        out += fmt::format(" with projector `{}`", engine.at("mmproj").get<std::string>());
    }
    out += "\n";
    out += fmt::format("- Decoding: greedy, max {} new tokens; scoring `{}`\n",
                       manifest.at("decoding").at("max_new_tokens").get<int>(),
                       manifest.at("protocol").at("scoring").get<std::string>());
    out += fmt::format("- medvlm {} (commit `{}`)\n\n", manifest.at("medvlm").at("version").get<std::string>(),
                       manifest.at("medvlm").at("git_commit").get<std::string>());
}

void write_telemetry(const nlohmann::json& manifest, const nlohmann::json& summary, std::string& out) {
    const auto& t = summary.at("telemetry");
    out += "## Image telemetry\n\n";
    out += "| Run | Rows | Rows with image filenames | Rows with loaded images | Zero-image rows |\n";
    out += "|---|---:|---:|---:|---:|\n";
    out += fmt::format("| {} | {} | {} | {} | {} |\n\n", manifest.at("benchmark").get<std::string>(),
                       t.at("rows").get<int64_t>(), t.at("rows_with_image_filenames").get<int64_t>(),
                       t.at("rows_with_loaded_images").get<int64_t>(), t.at("zero_image_rows").get<int64_t>());
    out += fmt::format("Images referenced: {}, loaded: {}, unique: {}. Skipped rows: {}.\n\n",
                       t.at("images_referenced").get<int64_t>(), t.at("images_loaded").get<int64_t>(),
                       t.at("unique_images").get<int64_t>(), t.at("skipped_rows").size());
}

void write_multiple_choice(const nlohmann::json& summary, std::string& out) {
    const auto& baselines = summary.at("baselines");
    out += "## Results\n\n";
    out += "| Mode | n | Accuracy | 95 % CI (Wilson) | Unknown | Truncated | Failed calls |\n";
    out += "|---|---:|---:|---|---:|---:|---:|\n";
    for (const auto& [mode, stats] : summary.at("modes").items()) {
        out += fmt::format("| {} | {} | {} | {} | {} | {} | {} |\n", mode, stats.at("n").get<int64_t>(),
                           percent(stats.at("accuracy").get<double>()), interval_text(stats.at("ci95")),
                           percent(stats.at("unknown_rate").get<double>()),
                           percent(stats.at("truncation_rate").get<double>()), stats.at("failed").get<int64_t>());
    }
    out += fmt::format("\nBaselines on these rows: random {}, always answering \"{}\" {} (the most common label).\n\n",
                       percent(baselines.at("random").get<double>()),
                       baselines.at("best_constant_letter").at("letter").get<std::string>(),
                       percent(baselines.at("best_constant_letter").at("accuracy").get<double>()));
}

void write_short_answer(const nlohmann::json& summary, std::string& out) {
    out += "## Results\n\n";
    out += "| Mode | n | exact_match | 95 % CI (Wilson) | token_f1 | token_recall | closed_accuracy | "
           "open_exact_match | Failed calls |\n";
    out += "|---|---:|---:|---|---:|---:|---:|---:|---:|\n";
    for (const auto& [mode, stats] : summary.at("modes").items()) {
        out += fmt::format("| {} | {} | {} | {} | {:.3f} | {:.3f} | {} (n={}) | {} (n={}) | {} |\n", mode,
                           stats.at("n").get<int64_t>(), percent(stats.at("exact_match").at("value").get<double>()),
                           interval_text(stats.at("exact_match").at("ci95")),
                           stats.at("token_f1").at("value").get<double>(),
                           stats.at("token_recall").at("value").get<double>(),
                           percent(stats.at("closed_accuracy").at("value").get<double>()),
                           stats.at("closed_accuracy").at("n").get<int64_t>(),
                           percent(stats.at("open_exact_match").at("value").get<double>()),
                           stats.at("open_exact_match").at("n").get<int64_t>(), stats.at("failed").get<int64_t>());
    }
    out += "\nMetric definitions are in manifest.json under `metric_definitions`.\n\n";
}

}  // namespace

std::string render_run_report(const nlohmann::json& manifest, const nlohmann::json& summary) {
    std::string out;
    write_header(manifest, summary, out);
    write_telemetry(manifest, summary, out);
    if (manifest.at("task") == "multiple-choice") {
        write_multiple_choice(summary, out);
    } else {
        write_short_answer(summary, out);
    }
    return out;
}

}  // namespace medvlm
