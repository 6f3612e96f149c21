#include <fmt/format.h>

#include "cli/commands.hpp"
#include "cli/dataset_options.hpp"
#include "core/files.hpp"

namespace medvlm::cli {

void register_validate(CLI::App& app) {
    auto* command = app.add_subcommand("validate", "Load a benchmark strictly and print its image telemetry");
    auto flags = std::make_shared<DatasetFlags>();
    auto json_out = std::make_shared<std::string>();
    add_dataset_flags(command, *flags);
    command->add_option("--json", *json_out, "Also write the telemetry as JSON to this file");

    command->callback([flags, json_out] {
        const Dataset dataset = load_dataset(to_dataset_options(*flags));
        fmt::print("{} {} (split {}{})\n", benchmark_name(dataset.options.benchmark), dataset.options.data_file.string(),
                   dataset.split, dataset.lang.empty() ? "" : ", language " + dataset.lang);
        fmt::print("{}", dataset.telemetry.to_table());
        if (!json_out->empty()) {
            write_json_atomic(*json_out, {{"benchmark", benchmark_name(dataset.options.benchmark)},
                                          {"data_file", dataset.options.data_file.string()},
                                          {"data_sha256", dataset.data_sha256},
                                          {"split", dataset.split},
                                          {"lang", dataset.lang},
                                          {"telemetry", dataset.telemetry.to_json()}});
        }
    });
}

}  // namespace medvlm::cli
