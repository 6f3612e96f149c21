#include <fmt/format.h>

#include "cli/commands.hpp"
#include "compare/comparison.hpp"
#include "core/error.hpp"
#include "core/files.hpp"
#include "report/report_comparison.hpp"
#include "report/report_html.hpp"
#include "report/report_markdown.hpp"

namespace medvlm::cli {

void register_report(CLI::App& app) {
    auto* command = app.add_subcommand(
        "report", "Write report.md and report.html of a run directory or of a comparison directory");
    auto dir = std::make_shared<std::string>();
    command->add_option("DIR", *dir, "A run directory (medvlm eval or merge) or a comparison directory (medvlm compare)")
        ->required();

    command->callback([dir] {
        const std::filesystem::path path(*dir);
        if (std::filesystem::exists(path / kComparisonFile)) {
            const nlohmann::json comparison = read_json_file(path / kComparisonFile);
            write_file_atomic(path / "report.md", render_comparison_markdown(comparison));
            write_file_atomic(path / "report.html", render_comparison_html(comparison));
        } else if (std::filesystem::exists(path / "summary.json")) {
            const nlohmann::json manifest = read_json_file(path / "manifest.json");
            const nlohmann::json summary = read_json_file(path / "summary.json");
            if (!summary.contains("statistics")) {
                throw InputError((path / "summary.json").string() +
                                 ": the summary has no intervals (no \"statistics\" section); run medvlm eval with the "
                                 "same settings and --out " + path.string() + " to write it again");
            }
            write_file_atomic(path / "report.md", render_run_report(manifest, summary));
            write_file_atomic(path / "report.html", render_run_report_html(manifest, summary));
        } else {
            throw InputError(path.string() + ": neither comparison.json nor summary.json found; name a directory "
                                             "written by medvlm eval, merge or compare");
        }
        fmt::print("Wrote {} and {}\n", (path / "report.md").string(), (path / "report.html").string());
    });
}

}  // namespace medvlm::cli
