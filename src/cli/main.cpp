// medvlm: honest evaluation of small medical vision-language models.
//
// Exit codes: 0 success; 1 an unexpected error; 2 invalid input (data,
// images, flags, run directory); 3 engine failure; 4 the run finished but
// its summary marks it invalid (for example images never reached the model).

#include <cstdio>

#include <CLI/CLI.hpp>
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include "cli/commands.hpp"
#include "core/error.hpp"
#include "core/version.hpp"

int main(int argc, char** argv) {
    CLI::App app{"medvlm: evaluate and fine-tune medical vision-language models honestly"};
    app.require_subcommand(1);
    app.set_version_flag("--version", medvlm::medvlm_version() + " (" + medvlm::medvlm_git_commit() + ")");
    bool verbose = false;
    bool quiet = false;
    app.add_flag("-v,--verbose", verbose, "Log debug messages, including llama.cpp's");
    app.add_flag("-q,--quiet", quiet, "Log warnings and errors only");

    medvlm::cli::register_validate(app);
    medvlm::cli::register_eval(app);
    medvlm::cli::register_merge(app);
    medvlm::cli::register_compare(app);
    medvlm::cli::register_report(app);
    medvlm::cli::register_make_tiny_model(app);
    medvlm::cli::register_train(app);
    medvlm::cli::register_make_stand_in_images(app);
    medvlm::cli::register_leakage(app);
    medvlm::cli::register_curriculum(app);

    auto logger = spdlog::stderr_color_mt("medvlm");
    spdlog::set_default_logger(logger);
    spdlog::set_pattern("[%H:%M:%S %^%l%$] %v");
    app.parse_complete_callback([&] {
        spdlog::set_level(verbose ? spdlog::level::trace : quiet ? spdlog::level::warn : spdlog::level::info);
    });

    try {
        app.parse(argc, argv);
    } catch (const CLI::RuntimeError& e) {
        return e.get_exit_code();
    } catch (const CLI::ParseError& e) {
        if (e.get_exit_code() == 0) {
            return app.exit(e);
        }
        std::fprintf(stderr, "error: %s\nRun 'medvlm --help' or 'medvlm COMMAND --help' for usage.\n", e.what());
        return 2;
    } catch (const medvlm::Error& e) {
        std::fprintf(stderr, "error: %s\n", e.what());
        return e.exit_code();
    } catch (const std::exception& e) {
        std::fprintf(stderr, "error: %s\n", e.what());
        return 1;
    }
    return 0;
}
