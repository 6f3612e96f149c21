#include "report/report_markdown.hpp"

#include <fmt/format.h>

#include "report/markdown_format.hpp"
#include "report/report_multiple_choice.hpp"
#include "report/report_short_answer.hpp"

namespace medvlm {
namespace {

void write_header(const nlohmann::json& manifest, const nlohmann::json& summary, std::string& out) {
    const auto& engine = manifest.at("engine");
    out += fmt::format("# medvlm run: {} ({})\n\n", manifest.at("benchmark").get<std::string>(),
                       manifest.at("data").at("split").get<std::string>());
    if (summary.value("test_model", false)) {
        out += "> **Test model.** This run used a random-weight test model written by `medvlm make-tiny-model`. "
               "Its scores are noise and say nothing about medicine; the run only shows that the pipeline works.\n\n";
    }
    if (manifest.at("data").value("stand_in_images", false)) {
        out += "> **Stand-in images.** The images of this run are generated placeholders named as the records name "
               "them, not the benchmark's images. The image modes test the pipeline only; no score here says anything "
               "about how the model uses the real images.\n\n";
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

}  // namespace

std::string render_run_report(const nlohmann::json& manifest, const nlohmann::json& summary) {
    std::string out;
    write_header(manifest, summary, out);
    write_telemetry(manifest, summary, out);
    out += manifest.at("task") == "multiple-choice" ? render_multiple_choice_results(manifest, summary)
                                                    : render_short_answer_results(manifest, summary);
    return out;
}

}  // namespace medvlm
