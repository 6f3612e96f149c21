#include "leakage/leakage_report.hpp"

#include <set>

#include <fmt/format.h>

#include "core/files.hpp"
#include "core/text.hpp"
#include "core/version.hpp"
#include "report/markdown_format.hpp"

namespace medvlm {
namespace {

// Table cells hold user text: pipes and line breaks would break the table.
std::string cell(std::string_view text) { return markdown_cell(excerpt(text, 100)); }

std::string fraction(size_t part, size_t whole) {
    if (whole == 0) {
        return fmt::format("{} / 0", part);
    }
    return fmt::format("{} / {} ({:.1f} %)", part, whole, 100.0 * static_cast<double>(part) / static_cast<double>(whole));
}

const SourceRecord& record_of(const std::vector<Source>& sources, RecordRef ref) {
    return sources[ref.source].records[ref.record];
}

std::string format_distance(const LeakagePair& pair) {
    if (pair.check == LeakageCheck::ImagePhash) {
        return fmt::format("{}", static_cast<int>(pair.distance));
    }
    if (pair.check == LeakageCheck::QuestionNearDuplicate) {
        return fmt::format("{:.3f}", pair.distance);
    }
    return "0";
}

nlohmann::ordered_json pair_json(const LeakageReport& report, const LeakagePair& pair) {
    const SourceRecord& train = record_of(report.train, pair.train);
    const SourceRecord& eval = record_of(report.eval, pair.eval);
    nlohmann::ordered_json entry = {
        {"check", leakage_check_name(pair.check)},
        {"distance", pair.distance},
        {"train_source", report.train[pair.train.source].label},
        {"train_id", train.id},
        {"eval_source", report.eval[pair.eval.source].label},
        {"eval_id", eval.id},
    };
    if (pair.check == LeakageCheck::ImagePhash) {
        entry["distance"] = static_cast<int>(pair.distance);
    }
    if (pair.train_image >= 0) {
        entry["train_image"] = train.images[static_cast<size_t>(pair.train_image)].name;
        entry["eval_image"] = eval.images[static_cast<size_t>(pair.eval_image)].name;
    }
    return entry;
}

nlohmann::ordered_json unusable_images_json(const std::vector<Source>& sources, const std::string& side) {
    nlohmann::ordered_json list = nlohmann::ordered_json::array();
    for (const auto& source : sources) {
        for (const auto& record : source.records) {
            for (const auto& image : record.images) {
                if (!image.problem.empty()) {
                    list.push_back({{"side", side},
                                    {"source", source.label},
                                    {"id", record.id},
                                    {"image", image.name},
                                    {"problem", image.problem}});
                }
            }
        }
    }
    return list;
}

void append_sources(std::string& md, const LeakageReport& report) {
    md += "## Sources\n\n";
    md += "| side | label | benchmark | file | split | language | records | image names |\n";
    md += "|---|---|---|---|---|---|---|---|\n";
    const auto rows = [&](const std::vector<Source>& sources, const char* side) {
        for (const auto& source : sources) {
            std::set<std::string> names;
            for (const auto& record : source.records) {
                for (const auto& image : record.images) {
                    names.insert(image.name);
                }
            }
            md += fmt::format("| {} | {} | {} | {} | {} | {} | {} | {} |\n", side, cell(source.label),
                              source_kind_name(source.spec.kind), cell(source.spec.data_file.string()),
                              cell(source.split), source.lang.empty() ? "-" : source.lang, source.records.size(),
                              names.size());
        }
    };
    rows(report.train, "train");
    rows(report.eval, "eval");
    md += "\n";
}

void append_settings(std::string& md, const LeakageReport& report) {
    const auto& settings = report.settings;
    const auto& lsh = report.result.lsh;
    md += "## Settings\n\n";
    md += fmt::format("- Images: {} distinct files decoded and hashed. An image pair counts under the strongest "
                      "content check that matches: identical file bytes, else identical decoded pixels, else a pHash "
                      "within {} of 64 bits. The image name check ignores content.\n",
                      report.result.images.paths.size(), settings.phash_max_distance);
    md += fmt::format("- Questions: normalized text (NFKC, lowercase, punctuation removed, English articles "
                      "dropped). Near-duplicates: Jaccard similarity of {}-word shingles of at least {:.2f}, found "
                      "through MinHash ({} hashes, {} bands of {} rows; a pair at the threshold is found with "
                      "probability {:.4f}) and confirmed exactly.\n",
                      settings.shingle_words, settings.question_jaccard, lsh.hashes, lsh.bands, lsh.rows,
                      lsh.detection_probability);
    md += "- Question-answer pairs: same normalized question and answer (the text of the correct option for "
          "multiple choice), split by whether the two records share an image.\n\n";
}

void append_image_overlap(std::string& md, const LeakageReport& report) {
    md += "## Image overlap per eval split\n\n";
    md += "Eval images (distinct names) that also occur in the training sources.\n\n";
    md += "| eval split | any image check | image_name | image_file_sha256 | image_pixel_sha256 | image_phash | "
          "eval records on a flagged image |\n";
    md += "|---|---|---|---|---|---|---|\n";
    for (size_t s = 0; s < report.eval.size(); ++s) {
        const auto& split = report.result.eval_splits[s];
        md += fmt::format("| {} | {} | {} | {} | {} | {} | {} |\n", cell(report.eval[s].label),
                          fraction(split.images_any_image_check, split.images),
                          split.checks.at(LeakageCheck::ImageName).eval_images,
                          split.checks.at(LeakageCheck::ImageFileSha256).eval_images,
                          split.checks.at(LeakageCheck::ImagePixelSha256).eval_images,
                          split.checks.at(LeakageCheck::ImagePhash).eval_images,
                          fraction(split.records_any_image_check, split.records));
    }
    md += "\n";
}

void append_totals(std::string& md, const LeakageReport& report) {
    md += "## Totals per check\n\n";
    md += "| check | what it finds | pairs | train records | eval records | train images | eval images |\n";
    md += "|---|---|---|---|---|---|---|\n";
    for (const auto check : all_leakage_checks()) {
        const auto& totals = report.result.totals.at(check);
        const bool images = is_image_check(check);
        md += fmt::format("| {} | {} | {} | {} | {} | {} | {} |\n", leakage_check_name(check),
                          leakage_check_description(check), totals.pairs, totals.train_records, totals.eval_records,
                          images ? std::to_string(totals.train_images) : "-",
                          images ? std::to_string(totals.eval_images) : "-");
    }
    md += "\n## Totals per eval split\n\n";
    for (size_t s = 0; s < report.eval.size(); ++s) {
        const auto& split = report.result.eval_splits[s];
        md += fmt::format("### {}\n\n", report.eval[s].label);
        md += fmt::format("{} records, {} image names ({} unusable). Records flagged by any check: {}.\n\n",
                          split.records, split.images, split.images_unusable,
                          fraction(split.records_any_check, split.records));
        md += "| check | pairs | eval records flagged | eval images flagged |\n|---|---|---|---|\n";
        for (const auto check : all_leakage_checks()) {
            const auto& totals = split.checks.at(check);
            md += fmt::format("| {} | {} | {} | {} |\n", leakage_check_name(check), totals.pairs,
                              fraction(totals.eval_records, split.records),
                              is_image_check(check) ? fraction(totals.eval_images, split.images) : "-");
        }
        md += "\n";
    }
}

void append_label_reveals(std::string& md, const LeakageReport& report) {
    const auto& reveals = report.result.label_reveals;
    md += "## Answers revealed by image names or captions\n\n";
    if (reveals.empty()) {
        md += "No record's answer appears as whole words in one of its image names or its caption.\n\n";
        return;
    }
    md += fmt::format("{} records have their answer in an image name or caption (first 50 listed):\n\n",
                      reveals.size());
    md += "| side | source | id | where | text | answer |\n|---|---|---|---|---|---|\n";
    for (size_t i = 0; i < reveals.size() && i < 50; ++i) {
        const auto& finding = reveals[i];
        const auto& sources = finding.eval ? report.eval : report.train;
        md += fmt::format("| {} | {} | {} | {} | {} | {} |\n", finding.eval ? "eval" : "train",
                          cell(sources[finding.record.source].label),
                          cell(record_of(sources, finding.record).id), finding.reveal.where, cell(finding.reveal.text),
                          cell(finding.reveal.answer));
    }
    md += "\n";
}

void append_pairs(std::string& md, const LeakageReport& report) {
    md += fmt::format("## Pairs\n\nThe first {} pairs of each check; leakage.json lists {}.\n\n",
                      report.markdown_pairs_per_check,
                      report.max_pairs_per_check == 0 ? std::string("all of them")
                                                      : fmt::format("up to {} per check", report.max_pairs_per_check));
    size_t index = 0;
    const auto& pairs = report.result.pairs;
    for (const auto check : all_leakage_checks()) {
        md += fmt::format("### {}\n\n", leakage_check_name(check));
        size_t shown = 0;
        const bool images = is_image_check(check);
        std::string rows;
        for (; index < pairs.size() && pairs[index].check == check; ++index) {
            if (shown == report.markdown_pairs_per_check) {
                continue;
            }
            const auto& pair = pairs[index];
            const SourceRecord& train = record_of(report.train, pair.train);
            const SourceRecord& eval = record_of(report.eval, pair.eval);
            const std::string detail =
                images ? fmt::format("{} | {}", cell(train.images[static_cast<size_t>(pair.train_image)].name),
                                     cell(eval.images[static_cast<size_t>(pair.eval_image)].name))
                       : fmt::format("{} | {}", cell(train.question), cell(eval.question));
            rows += fmt::format("| {}:{} | {}:{} | {} | {} |\n", cell(report.train[pair.train.source].label),
                                cell(train.id), cell(report.eval[pair.eval.source].label), cell(eval.id),
                                format_distance(pair), detail);
            ++shown;
        }
        if (shown == 0) {
            md += "No pairs.\n\n";
            continue;
        }
        md += images ? "| train | eval | distance | train image | eval image |\n"
                     : "| train | eval | distance | train question | eval question |\n";
        md += "|---|---|---|---|---|\n" + rows + "\n";
    }
}

}  // namespace

nlohmann::ordered_json source_summary_json(const Source& source) {
    std::set<std::string> names;
    std::set<std::string> unusable;
    for (const auto& record : source.records) {
        for (const auto& image : record.images) {
            names.insert(image.name);
            if (!image.problem.empty()) {
                unusable.insert(image.name);
            }
        }
    }
    nlohmann::ordered_json skipped = nlohmann::ordered_json::array();
    for (const auto& row : source.skipped) {
        skipped.push_back({{"id", row.id}, {"location", row.source}, {"reason", row.reason}});
    }
    return {
        {"label", source.label},
        {"benchmark", source_kind_name(source.spec.kind)},
        {"spec", source.spec.text},
        {"data_file", source.spec.data_file.string()},
        {"data_sha256", source.data_sha256},
        {"image_root", source.spec.image_root.string()},
        {"split", source.split},
        {"lang", source.lang},
        {"records_in_file", source.records_in_file},
        {"records_outside_split_or_language", source.rows_filtered_out},
        {"records", source.records.size()},
        {"image_names", names.size()},
        {"image_names_unusable", unusable.size()},
        {"repairs", source.repairs},
        {"skipped_records", skipped},
    };
}

nlohmann::ordered_json leakage_summary_json(const LeakageReport& report) {
    const auto& result = report.result;
    nlohmann::ordered_json train = nlohmann::ordered_json::array();
    nlohmann::ordered_json eval = nlohmann::ordered_json::array();
    for (const auto& source : report.train) {
        train.push_back(source_summary_json(source));
    }
    for (const auto& source : report.eval) {
        eval.push_back(source_summary_json(source));
    }

    nlohmann::ordered_json checks = nlohmann::ordered_json::array();
    for (const auto check : all_leakage_checks()) {
        const auto& totals = result.totals.at(check);
        const size_t listed = report.max_pairs_per_check == 0 ? totals.pairs
                                                              : std::min(totals.pairs, report.max_pairs_per_check);
        nlohmann::ordered_json entry = {{"check", leakage_check_name(check)},
                                {"description", leakage_check_description(check)},
                                {"pairs", totals.pairs},
                                {"pairs_listed", listed},
                                {"train_records", totals.train_records},
                                {"eval_records", totals.eval_records}};
        if (is_image_check(check)) {
            entry["train_images"] = totals.train_images;
            entry["eval_images"] = totals.eval_images;
        }
        checks.push_back(entry);
    }

    nlohmann::ordered_json splits = nlohmann::ordered_json::array();
    for (size_t s = 0; s < report.eval.size(); ++s) {
        const auto& split = result.eval_splits[s];
        nlohmann::ordered_json per_check = nlohmann::ordered_json::object();
        for (const auto check : all_leakage_checks()) {
            const auto& totals = split.checks.at(check);
            per_check[leakage_check_name(check)] = {{"pairs", totals.pairs}, {"eval_records", totals.eval_records}};
            if (is_image_check(check)) {
                per_check[leakage_check_name(check)]["eval_images"] = totals.eval_images;
            }
        }
        splits.push_back({{"eval_source", report.eval[s].label},
                          {"records", split.records},
                          {"image_names", split.images},
                          {"image_names_unusable", split.images_unusable},
                          {"image_names_any_image_check", split.images_any_image_check},
                          {"records_any_image_check", split.records_any_image_check},
                          {"records_any_check", split.records_any_check},
                          {"checks", per_check}});
    }

    nlohmann::ordered_json reveals = nlohmann::ordered_json::array();
    for (const auto& finding : result.label_reveals) {
        const auto& sources = finding.eval ? report.eval : report.train;
        reveals.push_back({{"side", finding.eval ? "eval" : "train"},
                           {"source", sources[finding.record.source].label},
                           {"id", record_of(sources, finding.record).id},
                           {"where", finding.reveal.where},
                           {"text", finding.reveal.text},
                           {"answer", finding.reveal.answer}});
    }
    nlohmann::ordered_json unusable = unusable_images_json(report.train, "train");
    for (auto& entry : unusable_images_json(report.eval, "eval")) {
        unusable.push_back(std::move(entry));
    }

    const auto& settings = report.settings;
    return {
        {"medvlm_version", medvlm_version()},
        {"git_commit", medvlm_git_commit()},
        {"settings",
         {{"phash_max_distance", settings.phash_max_distance},
          {"phash_bits", 64},
          {"question_jaccard", settings.question_jaccard},
          {"shingle_words", settings.shingle_words},
          {"minhash",
           {{"hashes", result.lsh.hashes},
            {"bands", result.lsh.bands},
            {"rows", result.lsh.rows},
            {"detection_probability_at_threshold", result.lsh.detection_probability}}},
          {"image_check_order", "image_file_sha256, then image_pixel_sha256, then image_phash; image_name is "
                                "independent of content"},
          {"max_pairs_per_check", report.max_pairs_per_check}}},
        {"train", train},
        {"eval", eval},
        {"images_fingerprinted", result.images.paths.size()},
        {"checks", checks},
        {"eval_splits", splits},
        {"label_reveals", reveals},
        {"unusable_images", unusable},
    };
}

void write_leakage_json(const std::filesystem::path& path, const LeakageReport& report) {
    std::string text = leakage_summary_json(report).dump(2);
    // Reopen the object to append the pair list, one compact pair per line.
    text.pop_back();  // the closing brace
    while (!text.empty() && (text.back() == '\n' || text.back() == ' ')) {
        text.pop_back();
    }
    text += ",\n  \"pairs\": [";
    std::map<LeakageCheck, size_t> listed;
    bool first = true;
    for (const auto& pair : report.result.pairs) {
        if (report.max_pairs_per_check != 0 && listed[pair.check] >= report.max_pairs_per_check) {
            continue;
        }
        ++listed[pair.check];
        text += first ? "\n    " : ",\n    ";
        text += pair_json(report, pair).dump();
        first = false;
    }
    text += first ? "]\n}\n" : "\n  ]\n}\n";
    write_file_atomic(path, text);
}

std::string leakage_markdown(const LeakageReport& report) {
    std::string md = "# Leakage report\n\n";
    md += fmt::format("medvlm {} ({}). Each check compares every eval record with every train record through "
                      "hash indexes; counts are exact.\n\n",
                      medvlm_version(), medvlm_git_commit());
    append_sources(md, report);
    append_settings(md, report);
    append_image_overlap(md, report);
    append_totals(md, report);
    append_label_reveals(md, report);
    append_pairs(md, report);
    return md;
}

void write_leakage_report(const std::filesystem::path& directory, const LeakageReport& report) {
    write_leakage_json(directory / "leakage.json", report);
    write_file_atomic(directory / "leakage.md", leakage_markdown(report));
}

}  // namespace medvlm
