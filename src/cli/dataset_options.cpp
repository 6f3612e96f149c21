#include "cli/dataset_options.hpp"

#include "cli/limit_options.hpp"

namespace medvlm::cli {

void add_dataset_flags(CLI::App* command, DatasetFlags& flags) {
    command->add_option("--benchmark", flags.benchmark, "Benchmark: medxpertqa-mm, slake or vqa-rad")->required();
    command->add_option("--data", flags.data, "Records file as published (JSON or JSONL)")->required();
    command->add_option("--image-root", flags.image_root,
                        "Directory the records' image names are resolved in; nothing outside it is read")
        ->required();
    command->add_option("--split", flags.split,
                        "Split to keep. VQA-RAD: test (default), train or all, from phrase_type. "
                        "Other benchmarks: recorded as given, else taken from the file name");
    command->add_option("--lang", flags.lang, "SLAKE question language: en (default), zh or all")
        ->check(CLI::IsMember({"en", "zh", "all"}));
    command->add_flag("--skip-invalid", flags.skip_invalid,
                      "Skip rows with invalid records or unusable images, listing each one, instead of stopping");
    command->add_option("--limit", flags.limit, "Keep only the first N rows after filtering (0: all)");
    add_record_limit_flags(command, flags.record_limits);
    add_image_limit_flags(command, flags.image_limits);
}

DatasetOptions to_dataset_options(const DatasetFlags& flags) {
    DatasetOptions options;
    options.benchmark = parse_benchmark(flags.benchmark);
    options.data_file = flags.data;
    options.image_root = flags.image_root;
    options.split = flags.split;
    options.lang = flags.lang;
    options.skip_invalid = flags.skip_invalid;
    options.limit = flags.limit;
    options.record_limits = flags.record_limits;
    options.image_limits = flags.image_limits;
    return options;
}

}  // namespace medvlm::cli
