#pragma once
// Registration of each `medvlm` subcommand; one file per command.

#include <CLI/CLI.hpp>

namespace medvlm::cli {

void register_validate(CLI::App& app);
void register_eval(CLI::App& app);
void register_merge(CLI::App& app);
void register_compare(CLI::App& app);
void register_report(CLI::App& app);
void register_make_tiny_model(CLI::App& app);
void register_train(CLI::App& app);
void register_make_stand_in_images(CLI::App& app);
void register_leakage(CLI::App& app);
void register_curriculum(CLI::App& app);

}  // namespace medvlm::cli
