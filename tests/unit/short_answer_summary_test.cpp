// The short-answer summary and report: closed_accuracy counting, languages
// kept apart, closed/open derived from the gold, and slice counts on the
// real SLAKE and VQA-RAD files checked against counts taken from the
// records themselves.

#include <gtest/gtest.h>

#include <algorithm>
#include <cctype>
#include <map>
#include <regex>
#include <set>

#include "core/files.hpp"
#include "core/text.hpp"
#include "data/loaders.hpp"
#include "report/report_short_answer.hpp"
#include "report/short_answer_slices.hpp"
#include "report/summary_short_answer.hpp"
#include "run/scorer.hpp"
#include "scoring/short_answer.hpp"
#include "support/test_support.hpp"

namespace medvlm {
namespace {

// value -> row count, per language and slice name.
using SliceCounts = std::map<std::string, std::map<std::string, std::map<std::string, int64_t>>>;

nlohmann::json manifest_for(const std::vector<std::string>& modes) {
    return {{"protocol", {{"modes", modes}}}, {"metric_definitions", short_answer_metric_definitions(NormalizeOptions{})}};
}

Prediction scored(const Example& example, const std::string& reply, AblationMode mode = AblationMode::ImageText) {
    EngineResult result;
    result.text = reply;
    const CallContext call{&example, mode, 0, nullptr, nullptr, nullptr};
    return score_call(call, result, NormalizeOptions{});
}

Example row(const std::string& id, const std::string& gold, const std::string& answer_type,
            const std::string& lang = "en") {
    Example example;
    example.id = id;
    example.answer = gold;
    example.source = "rows.json: record id=" + id;
    example.fields["q_lang"] = lang;
    if (!answer_type.empty()) {
        example.fields["answer_type"] = answer_type;
    }
    return example;
}

Dataset dataset_of(Benchmark benchmark, std::vector<Example> examples) {
    Dataset dataset;
    dataset.options.benchmark = benchmark;
    dataset.examples = std::move(examples);
    return dataset;
}

std::vector<Prediction> answer_all(const Dataset& dataset, const std::string& reply) {
    std::vector<Prediction> predictions;
    for (const auto& example : dataset.examples) {
        predictions.push_back(scored(example, reply));
    }
    return predictions;
}

Dataset real_slake(const std::string& lang) {
    const auto path = testing::shared_data_dir() / "slake/test.json";
    ParseOptions options;
    options.lang = lang;
    return dataset_of(Benchmark::Slake, parse_slake("test.json", read_file(path), options).examples);
}

Dataset real_vqa_rad(const std::string& file, const std::string& split) {
    const auto path = testing::shared_data_dir() / "vqa_rad" / file;
    ParseOptions options;
    options.split = split;
    return dataset_of(Benchmark::VqaRad, parse_vqa_rad(file, read_file(path), options).examples);
}

// Compares the summary's slice rows with counts made from the records.
void expect_slice_counts(const nlohmann::json& slices, const SliceCounts& expected) {
    for (const auto& [language, by_slice] : expected) {
        ASSERT_TRUE(slices.contains(language)) << language;
        for (const auto& [slice, counts] : by_slice) {
            const auto& rows = slices.at(language).at(slice);
            EXPECT_EQ(rows.size(), counts.size()) << language << " " << slice << ": " << rows.dump().substr(0, 300);
            for (const auto& [value, count] : counts) {
                ASSERT_TRUE(rows.contains(value)) << language << " " << slice << " has no row '" << value << "'";
                EXPECT_EQ(rows.at(value).at("n").get<int64_t>(), count) << language << " " << slice << " " << value;
                EXPECT_EQ(rows.at(value).at("failed").get<int64_t>(), 0);
            }
        }
    }
}

TEST(ShortAnswerSummary, ClosedAccuracyCountsWrongAnswers) {
    const Dataset dataset = dataset_of(Benchmark::Slake, {row("1", "Yes", "CLOSED"), row("2", "No", "CLOSED"),
                                                          row("3", "Lung", "CLOSED"), row("4", "Liver", "OPEN")});
    const std::vector<Prediction> predictions = {scored(dataset.examples[0], "yes"),
                                                 scored(dataset.examples[1], "Normal study."),
                                                 scored(dataset.examples[2], "the lungs"),
                                                 scored(dataset.examples[3], "liver")};
    const auto summary = summarize_short_answer(manifest_for({"image+text"}), dataset, predictions);
    const auto& metrics = summary.at("metrics").at("image+text").at("en");

    EXPECT_EQ(metrics.at("closed_accuracy").at("n").get<int64_t>(), 3);
    EXPECT_EQ(metrics.at("closed_accuracy").at("correct").get<int64_t>(), 1);
    EXPECT_DOUBLE_EQ(metrics.at("closed_accuracy").at("value").get<double>(), 1.0 / 3.0);
    EXPECT_EQ(metrics.at("closed_yes_no_accuracy").at("n").get<int64_t>(), 2);
    EXPECT_EQ(metrics.at("closed_yes_no_accuracy").at("correct").get<int64_t>(), 1);
    EXPECT_EQ(metrics.at("closed_no_polar_answer").at("count").get<int64_t>(), 1);
    EXPECT_EQ(metrics.at("closed_other_exact_match").at("n").get<int64_t>(), 1);
    EXPECT_EQ(metrics.at("closed_other_exact_match").at("correct").get<int64_t>(), 0);
    EXPECT_EQ(metrics.at("open_exact_match").at("n").get<int64_t>(), 1);
    EXPECT_EQ(metrics.at("open_exact_match").at("correct").get<int64_t>(), 1);
    EXPECT_EQ(metrics.at("exact_match").at("n").get<int64_t>(), 4);
    EXPECT_EQ(metrics.at("exact_match").at("correct").get<int64_t>(), 2);
    EXPECT_EQ(summary.at("closed_open").at("source"), "answer_type");
    EXPECT_TRUE(summary.at("metric_definitions").contains("closed_accuracy"));
}

TEST(ShortAnswerSummary, NoPolarAnswerAndFailedCalls) {
    const Dataset dataset = dataset_of(Benchmark::Slake, {row("1", "Yes", "CLOSED"), row("2", "No", "CLOSED"),
                                                          row("3", "No", "CLOSED"), row("4", "是", "CLOSED", "zh")});
    std::vector<Prediction> predictions = {scored(dataset.examples[0], "yes, not normal"),
                                           scored(dataset.examples[1], "maybe"), scored(dataset.examples[2], ""),
                                           scored(dataset.examples[3], "是的")};
    predictions[2].ok = false;  // a failed call is neither right nor wrong
    predictions[2].metrics = nlohmann::json::object();
    const auto summary = summarize_short_answer(manifest_for({"image+text"}), dataset, predictions);
    const auto& english = summary.at("metrics").at("image+text").at("en");

    EXPECT_EQ(english.at("n").get<int64_t>(), 2);
    EXPECT_EQ(english.at("failed").get<int64_t>(), 1);
    EXPECT_EQ(english.at("closed_accuracy").at("n").get<int64_t>(), 2);
    EXPECT_EQ(english.at("closed_accuracy").at("correct").get<int64_t>(), 0);
    EXPECT_EQ(english.at("closed_no_polar_answer").at("count").get<int64_t>(), 2);
    const auto& chinese = summary.at("metrics").at("image+text").at("zh");
    EXPECT_EQ(chinese.at("closed_accuracy").at("correct").get<int64_t>(), 1);
}

TEST(ShortAnswerSummary, PredictionForUnknownRowIsAnError) {
    const Dataset dataset = dataset_of(Benchmark::Slake, {row("1", "Yes", "CLOSED")});
    const Example stranger = row("99", "No", "CLOSED");
    EXPECT_THROW((void)summarize_short_answer(manifest_for({"image+text"}), dataset, {scored(stranger, "no")}), Error);
}

TEST(ShortAnswerSummary, DerivedClosedOpenIsStated) {
    // A records file without answer_type: closed/open comes from the gold.
    Dataset dataset = real_slake("en");
    int64_t yes_no = 0;
    for (auto& example : dataset.examples) {
        example.fields.erase("answer_type");
        const std::string gold = to_lower_ascii(example.answer);
        yes_no += (gold == "yes" || gold == "no") ? 1 : 0;
    }
    ASSERT_EQ(yes_no, 355);
    const auto summary = summarize_short_answer(manifest_for({"image+text"}), dataset, answer_all(dataset, "yes"));

    const auto& closed_open = summary.at("closed_open");
    EXPECT_EQ(closed_open.at("source"), "derived_from_gold");
    EXPECT_EQ(closed_open.at("rows_derived_from_gold").get<int64_t>(), 1061);
    EXPECT_NE(closed_open.at("note").get<std::string>().find("derived"), std::string::npos);
    const auto& metrics = summary.at("metrics").at("image+text").at("en");
    EXPECT_EQ(metrics.at("closed_accuracy").at("n").get<int64_t>(), yes_no);
    EXPECT_EQ(metrics.at("open_exact_match").at("n").get<int64_t>(), 1061 - yes_no);
    EXPECT_EQ(metrics.at("closed_other_exact_match").at("n").get<int64_t>(), 0);
    EXPECT_EQ(metrics.at("closed_open_source").at("derived_from_gold").get<int64_t>(), 1061);
    const auto& answer_type = summary.at("slices").at("image+text").at("en").at("answer_type");
    EXPECT_EQ(answer_type.at("CLOSED (derived)").at("n").get<int64_t>(), yes_no);
    EXPECT_EQ(answer_type.at("OPEN (derived)").at("n").get<int64_t>(), 1061 - yes_no);

    const std::string report = render_short_answer_results(manifest_for({"image+text"}), summary);
    EXPECT_NE(report.find("Closed/open derived"), std::string::npos) << report;
}

TEST(ShortAnswerSummary, LanguagesAreNeverPooled) {
    const Dataset dataset = real_slake("all");
    const auto manifest = manifest_for({"image+text", "text-only"});
    std::vector<Prediction> predictions;
    for (const auto& example : dataset.examples) {
        predictions.push_back(scored(example, "yes", AblationMode::ImageText));
        predictions.push_back(scored(example, "no", AblationMode::TextOnly));
    }
    const auto summary = summarize_short_answer(manifest, dataset, predictions);

    EXPECT_EQ(summary.at("languages"), (nlohmann::json{"en", "zh"}));
    for (const char* mode : {"image+text", "text-only"}) {
        const auto& by_language = summary.at("metrics").at(mode);
        EXPECT_EQ(by_language.size(), 2u) << by_language.dump().substr(0, 200);
        EXPECT_EQ(by_language.at("en").at("n").get<int64_t>(), 1061);
        EXPECT_EQ(by_language.at("zh").at("n").get<int64_t>(), 1033);
        EXPECT_EQ(summary.at("slices").at(mode).size(), 2u);
    }
    // "yes" is right on the 175 closed English "Yes" golds and, as an English
    // polar word, on the 169 closed Chinese golds of yes polarity.
    const auto& english = summary.at("metrics").at("image+text").at("en");
    EXPECT_EQ(english.at("closed_yes_no_accuracy").at("correct").get<int64_t>(), 175);
    const auto& chinese = summary.at("metrics").at("image+text").at("zh");
    EXPECT_EQ(chinese.at("closed_yes_no_accuracy").at("correct").get<int64_t>(), 169);

    const std::string report = render_short_answer_results(manifest, summary);
    EXPECT_NE(report.find("| Metric | image+text, English | image+text, Chinese | text-only, English | "
                          "text-only, Chinese |"),
              std::string::npos)
        << report.substr(0, 2000);
    EXPECT_NE(report.find("| content_type | n en | n zh | exact_match en | exact_match zh |"), std::string::npos);
    EXPECT_NE(report.find("#### location"), std::string::npos);
    EXPECT_NE(report.find("| Chest_lung | – | 21 |"), std::string::npos) << "a value seen in one language only";
    EXPECT_NE(report.find("no figure pools them"), std::string::npos);
}

TEST(ShortAnswerReport, NeverSaysBareAccuracy) {
    const Dataset dataset = real_slake("all");
    const auto manifest = manifest_for({"image+text"});
    const auto summary = summarize_short_answer(manifest, dataset, answer_all(dataset, "yes"));
    const std::string report = render_short_answer_results(manifest, summary);

    // Every "accuracy" is part of a named metric such as closed_accuracy.
    const std::regex word(R"((\w*)accuracy)", std::regex::icase);
    int64_t mentions = 0;
    for (auto it = std::sregex_iterator(report.begin(), report.end(), word); it != std::sregex_iterator(); ++it) {
        ++mentions;
        const std::string prefix = (*it)[1].str();
        EXPECT_TRUE(prefix == "closed_" || prefix == "closed_yes_no_") << "bare accuracy in: " << it->str();
    }
    EXPECT_GT(mentions, 0);
    EXPECT_FALSE(summary.at("metric_definitions").contains("accuracy"));
    EXPECT_FALSE(summary.at("metrics").at("image+text").at("en").contains("accuracy"));
}

TEST(ShortAnswerSlices, QuestionTypeFolding) {
    EXPECT_EQ(fold_question_type("PRES"), (std::vector<std::string>{"PRES"}));
    EXPECT_EQ(fold_question_type("PRES, POS"), (std::vector<std::string>{"PRES", "POS"}));
    EXPECT_EQ(fold_question_type("ATRIB"), (std::vector<std::string>{"ATTRIB"}));
    EXPECT_EQ(fold_question_type("PRSE"), (std::vector<std::string>{"PRES"}));
    EXPECT_EQ(fold_question_type("Other"), (std::vector<std::string>{"OTHER"}));
    EXPECT_EQ(fold_question_type("PRES, PRSE"), (std::vector<std::string>{"PRES"}));
    EXPECT_EQ(fold_question_type(" , "), (std::vector<std::string>{"(missing)"}));
    EXPECT_EQ(phrase_kind("test_freeform"), "freeform");
    EXPECT_EQ(phrase_kind("para"), "paraphrase");
    EXPECT_EQ(phrase_kind("test_para"), "paraphrase");
}

TEST(ShortAnswerSlices, SlakeCountsMatchTheRecords) {
    const auto records = read_json_file(testing::shared_data_dir() / "slake/test.json");
    const std::set<std::string> chinese_yes_no = {"是", "是的", "有", "包含", "存在", "可以",
                                                  "不是", "否", "没有", "不包含", "不存在", "不可以"};
    SliceCounts expected;
    for (const auto& record : records) {
        const std::string lang = record.at("q_lang").get<std::string>();
        auto& counts = expected[lang];
        for (const char* field : {"answer_type", "content_type", "modality", "location", "base_type"}) {
            counts[field][record.at(field).get<std::string>()] += 1;
        }
        const std::string answer = record.at("answer").get<std::string>();
        const bool yes_no = lang == "en" ? (to_lower_ascii(answer) == "yes" || to_lower_ascii(answer) == "no")
                                         : chinese_yes_no.count(answer) > 0;
        counts["gold_yes_no"][yes_no ? "yes/no" : "other"] += 1;
    }
    ASSERT_EQ(expected.size(), 2u);

    const Dataset dataset = real_slake("all");
    const auto summary = summarize_short_answer(manifest_for({"image+text"}), dataset, answer_all(dataset, "no"));
    expect_slice_counts(summary.at("slices").at("image+text"), expected);
    EXPECT_EQ(expected["en"]["gold_yes_no"]["yes/no"], 355);
    EXPECT_EQ(expected["en"]["answer_type"]["CLOSED"], 416);
    EXPECT_EQ(expected["zh"]["gold_yes_no"]["yes/no"], 347);

    // Closed rows whose gold is not yes/no are counted apart.
    const auto& english = summary.at("metrics").at("image+text").at("en");
    EXPECT_EQ(english.at("closed_other_exact_match").at("n").get<int64_t>(), 416 - 355);
}

// Counts VQA-RAD slices from the records: question_type split on commas,
// upper-cased, with the release's misspellings corrected.
SliceCounts count_vqa_rad(const std::string& file) {
    const auto records = read_json_file(testing::shared_data_dir() / "vqa_rad" / file);
    SliceCounts expected;
    auto& counts = expected["en"];
    for (const auto& record : records) {
        counts["answer_type"][trim(record.at("answer_type").get<std::string>())] += 1;
        counts["image_organ"][record.at("image_organ").get<std::string>()] += 1;
        const std::string phrase = record.at("phrase_type").get<std::string>();
        counts["phrase_type"][phrase.find("para") != std::string::npos ? "paraphrase" : "freeform"] += 1;

        std::set<std::string> types;
        for (const auto& part : split(record.at("question_type").get<std::string>(), ',')) {
            std::string type = trim(part);
            std::transform(type.begin(), type.end(), type.begin(), [](unsigned char c) { return std::toupper(c); });
            if (type == "ATRIB") {
                type = "ATTRIB";
            } else if (type == "PRSE") {
                type = "PRES";
            }
            types.insert(type);
        }
        for (const auto& type : types) {
            counts["question_type"][type] += 1;
        }

        const auto& answer = record.at("answer");
        const std::string text = answer.is_string() ? to_lower_ascii(trim(answer.get<std::string>())) : "";
        counts["gold_yes_no"][(text == "yes" || text == "no") ? "yes/no" : "other"] += 1;
    }
    return expected;
}

TEST(ShortAnswerSlices, VqaRadTestCountsMatchTheRecords) {
    SliceCounts expected = count_vqa_rad("VQA_RAD_Dataset_Public.test.json");
    const Dataset dataset = real_vqa_rad("VQA_RAD_Dataset_Public.test.json", "test");
    ASSERT_EQ(dataset.examples.size(), 391u);
    const auto summary = summarize_short_answer(manifest_for({"image+text"}), dataset, answer_all(dataset, "yes"));
    expect_slice_counts(summary.at("slices").at("image+text"), expected);

    EXPECT_EQ(expected["en"]["answer_type"]["CLOSED"], 239);
    EXPECT_EQ(expected["en"]["answer_type"]["OPEN"], 152);
    EXPECT_EQ(expected["en"]["question_type"]["PRES"], 140);
    const auto& metrics = summary.at("metrics").at("image+text").at("en");
    EXPECT_EQ(metrics.at("closed_accuracy").at("n").get<int64_t>(), 239);
    EXPECT_EQ(metrics.at("open_exact_match").at("n").get<int64_t>(), 152);
    EXPECT_EQ(summary.at("languages"), (nlohmann::json{"en"}));
}

TEST(ShortAnswerSlices, VqaRadTrainVariantsAreFolded) {
    SliceCounts expected = count_vqa_rad("VQA_RAD_Dataset_Public.train.json");
    const Dataset dataset = real_vqa_rad("VQA_RAD_Dataset_Public.train.json", "train");
    ASSERT_EQ(dataset.examples.size(), 1797u);
    const auto summary = summarize_short_answer(manifest_for({"image+text"}), dataset, answer_all(dataset, "no"));
    expect_slice_counts(summary.at("slices").at("image+text"), expected);

    const auto& question_type = summary.at("slices").at("image+text").at("en").at("question_type");
    for (const char* variant : {"ATRIB", "PRSE", "Other", "PRES, POS"}) {
        EXPECT_FALSE(question_type.contains(variant)) << variant;
    }
    // ATTRIB: 70 plain, 1 ATRIB and 8 combined rows (ATTRIB, SIZE; ATTRIB, PRES; PRES, ATTRIB).
    EXPECT_EQ(question_type.at("ATTRIB").at("n").get<int64_t>(), 79);
    EXPECT_EQ(question_type.at("OTHER").at("n").get<int64_t>(), 170);
}

}  // namespace
}  // namespace medvlm
