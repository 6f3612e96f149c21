#include "cli/leakage_options.hpp"

#include <thread>

namespace medvlm::cli {

void add_leakage_flags(CLI::App* command, LeakageFlags& flags) {
    command->add_option("--phash-max-distance", flags.phash_max_distance,
                        "Largest Hamming distance, in bits of the 64-bit pHash, at which two images count as "
                        "near-duplicates (default " + std::to_string(kDefaultPhashMaxDistance) + ")")
        ->check(CLI::Range(0, 64));
    command->add_option("--question-jaccard", flags.question_jaccard,
                        "Smallest word-shingle Jaccard similarity at which two questions count as near-duplicates, "
                        "in (0, 1] (default 0.8)")
        ->check(CLI::Range(0.0, 1.0));
    command->add_option("--shingle-words", flags.shingle_words,
                        "Words per shingle for the near-duplicate question check (default " +
                            std::to_string(kDefaultShingleWords) + ")")
        ->check(CLI::Range(1, 16));
    command->add_option("--threads", flags.threads,
                        "Threads that decode and hash images (default: one per hardware thread)");
    command->add_flag("--skip-invalid", flags.skip_invalid,
                      "Skip invalid records and keep records whose images are missing or undecodable (left out of "
                      "the image content checks and listed), instead of stopping");
    command->add_option("--max-image-pixels", flags.max_image_pixels,
                        "Reject images whose width x height exceeds this many pixels")
        ->check(CLI::PositiveNumber);
    command->add_option("--max-image-bytes", flags.max_image_bytes, "Reject image files larger than this many bytes")
        ->check(CLI::PositiveNumber);
}

LeakageSettings to_leakage_settings(const LeakageFlags& flags) {
    LeakageSettings settings;
    settings.phash_max_distance = flags.phash_max_distance;
    settings.question_jaccard = flags.question_jaccard;
    settings.shingle_words = flags.shingle_words;
    settings.threads = flags.threads != 0 ? flags.threads : std::max(1u, std::thread::hardware_concurrency());
    settings.skip_invalid = flags.skip_invalid;
    settings.image_limits.max_pixels = flags.max_image_pixels;
    settings.image_limits.max_file_bytes = flags.max_image_bytes;
    return settings;
}

std::vector<SourceSpec> parse_source_specs(const std::vector<std::string>& texts) {
    std::vector<SourceSpec> specs;
    for (const auto& text : texts) {
        specs.push_back(parse_source_spec(text));
    }
    return specs;
}

}  // namespace medvlm::cli
