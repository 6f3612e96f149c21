// Image clusters, the choice between resampling questions and images, and
// the interval blocks of summary.json built on them.

#include <gtest/gtest.h>

#include "core/error.hpp"
#include "core/files.hpp"
#include "data/loaders.hpp"
#include "report/call_metrics.hpp"
#include "report/example_index.hpp"
#include "report/metric_sample.hpp"
#include "report/statistics_context.hpp"
#include "support/test_support.hpp"

namespace medvlm {
namespace {

Example with_images(const std::string& id, const std::vector<std::pair<std::string, std::string>>& images) {
    Example example;
    example.id = id;
    example.benchmark = Benchmark::Slake;
    example.answer = "yes";
    for (const auto& [name, sha256] : images) {
        example.images.push_back({name, {}, sha256, 8, 8, !sha256.empty()});
    }
    return example;
}

Dataset dataset_of(std::vector<Example> examples) {
    Dataset dataset;
    dataset.options.benchmark = Benchmark::Slake;
    dataset.examples = std::move(examples);
    return dataset;
}

std::string cluster_of(const ExampleIndex& index, const std::string& id) { return index.find(id)->cluster; }

TEST(ExampleIndex, SharedImagesFormOneCluster) {
    // q1 and q2 name one file; q3 shares q2's second image by content under
    // another name; q4 is alone; q5 has no image.
    const Dataset dataset = dataset_of({with_images("q1", {{"a.jpg", "s1"}}),
                                        with_images("q2", {{"a.jpg", "s1"}, {"b.jpg", "s2"}}),
                                        with_images("q3", {{"copy-of-b.jpg", "s2"}}),
                                        with_images("q4", {{"c.jpg", "s3"}}), with_images("q5", {})});
    const ExampleIndex index = build_example_index(dataset, Benchmark::Slake);
    EXPECT_EQ(cluster_of(index, "q1"), "a.jpg");
    EXPECT_EQ(cluster_of(index, "q2"), "a.jpg");
    EXPECT_EQ(cluster_of(index, "q3"), "a.jpg");
    EXPECT_EQ(cluster_of(index, "q4"), "c.jpg");
    EXPECT_EQ(cluster_of(index, "q5"), "example:q5");
    EXPECT_EQ(index.cluster_count(), 3u);
    EXPECT_EQ(index.find("q1")->language, "en");
    EXPECT_TRUE(index.find("q1")->slices.contains("modality"));
    EXPECT_EQ(index.find("absent"), nullptr);
}

TEST(ExampleIndex, JsonLinesRoundTrip) {
    const Dataset dataset = dataset_of({with_images("q1", {{"a.jpg", "s1"}}), with_images("q2", {{"a.jpg", "s1"}})});
    const ExampleIndex index = build_example_index(dataset, Benchmark::Slake);
    const ExampleIndex read = ExampleIndex::from_jsonl(index.to_jsonl(), "examples.jsonl");
    ASSERT_EQ(read.examples().size(), 2u);
    EXPECT_EQ(read.slice_names(), index.slice_names());
    EXPECT_EQ(read.find("q2")->cluster, "a.jpg");
    EXPECT_EQ(read.find("q2")->slices, index.find("q2")->slices);
    EXPECT_EQ(read.find("q2")->image_sha256, (std::vector<std::string>{"s1"}));
    EXPECT_THROW((void)ExampleIndex::from_jsonl("{\"slice_names\": []}\n{\"id\": 3}\n", "examples.jsonl"), InputError);
    EXPECT_THROW((void)ExampleIndex::from_jsonl("", "examples.jsonl"), InputError);
}

TEST(ExampleIndex, SlakeEnglishTestHas96Images) {
    ParseOptions options;
    options.lang = "en";
    const auto path = testing::shared_data_dir() / "slake/test.json";
    const Dataset dataset = dataset_of(parse_slake("test.json", read_file(path), options).examples);
    const ExampleIndex index = build_example_index(dataset, Benchmark::Slake);
    EXPECT_EQ(index.examples().size(), 1061u);
    EXPECT_EQ(index.cluster_count(), 96u);
    const StatisticsContext statistics(index, StatisticsSettings{});
    EXPECT_TRUE(statistics.by_image());
    EXPECT_NE(statistics.to_json().at("reason").get<std::string>().find("1061 questions share 96 images"),
              std::string::npos);
}

ExampleIndex two_images_four_questions() {
    return ExampleIndex({{"q1", "en", "img1", {}, {}}, {"q2", "en", "img1", {}, {}}, {"q3", "en", "img2", {}, {}},
                         {"q4", "en", "img2", {}, {}}},
                        {});
}

TEST(StatisticsContext, AutoResamplesImagesOnlyWhenShared) {
    EXPECT_TRUE(StatisticsContext(two_images_four_questions(), {}).by_image());
    const ExampleIndex alone({{"q1", "en", "img1", {}, {}}, {"q2", "en", "img2", {}, {}}}, {});
    const StatisticsContext statistics(alone, {});
    EXPECT_FALSE(statistics.by_image());
    EXPECT_EQ(statistics.to_json().at("proportion_interval"), "wilson");

    StatisticsSettings forced;
    forced.resampling = ResamplingChoice::Question;
    EXPECT_FALSE(StatisticsContext(two_images_four_questions(), forced).by_image());
    forced.resampling = ResamplingChoice::Image;
    EXPECT_TRUE(StatisticsContext(alone, forced).by_image());
    EXPECT_THROW((void)parse_resampling_choice("rows"), InputError);
}

TEST(StatisticsContext, RepeatedQuestionsStayTogether) {
    const ExampleIndex alone({{"q1", "en", "img1", {}, {}}, {"q2", "en", "img2", {}, {}}}, {});
    const StatisticsContext statistics(alone, {});
    EXPECT_TRUE(statistics.clusters_for({"q1", "q2"}).empty());
    EXPECT_EQ(statistics.clusters_for({"q1", "q1", "q2"}), (std::vector<std::string>{"q1", "q1", "q2"}));
    EXPECT_EQ(statistics.unit_for({"q1", "q1", "q2"}), "question (all rotations together)");
    EXPECT_THROW((void)StatisticsContext(two_images_four_questions(), {}).clusters_for({"q9"}), Error);
}

MetricSample sample_of(const std::vector<std::pair<std::string, double>>& values) {
    MetricSample sample;
    for (const auto& [id, value] : values) {
        sample.add(value, id);
    }
    return sample;
}

TEST(MetricSample, WilsonForIndependentQuestions) {
    const ExampleIndex alone({{"q1", "en", "img1", {}, {}}, {"q2", "en", "img2", {}, {}}, {"q3", "en", "img3", {}, {}}}, {});
    const auto block = proportion_json(sample_of({{"q1", 1}, {"q2", 0}, {"q3", 1}}), StatisticsContext(alone, {}));
    EXPECT_EQ(block.at("n"), 3);
    EXPECT_EQ(block.at("correct"), 2);
    EXPECT_EQ(block.at("ci95").at("method"), "wilson");
    EXPECT_EQ(block.at("ci95").at("level"), 0.95);
}

TEST(MetricSample, ClusterBootstrapWhereImagesAreShared) {
    const StatisticsContext statistics(two_images_four_questions(), {});
    const auto block = proportion_json(sample_of({{"q1", 1}, {"q2", 1}, {"q3", 0}, {"q4", 0}}), statistics);
    EXPECT_DOUBLE_EQ(block.at("value").get<double>(), 0.5);
    const auto& interval = block.at("ci95");
    EXPECT_EQ(interval.at("method"), "cluster bootstrap");
    EXPECT_EQ(interval.at("resampling_unit"), "image");
    EXPECT_EQ(interval.at("units"), 2);
    // Two images, one all right and one all wrong: resamples give 0, 0.5 or 1.
    EXPECT_DOUBLE_EQ(interval.at("lower").get<double>(), 0.0);
    EXPECT_DOUBLE_EQ(interval.at("upper").get<double>(), 1.0);

    const auto mean = mean_json(sample_of({{"q1", 0.5}, {"q2", 0.7}, {"q3", 0.1}}), statistics);
    EXPECT_EQ(mean.at("ci95").at("method"), "cluster bootstrap");
}

TEST(MetricSample, SingleImageHasNoInterval) {
    const StatisticsContext statistics(two_images_four_questions(), {});
    const auto block = proportion_json(sample_of({{"q1", 1}, {"q2", 0}}), statistics);
    EXPECT_TRUE(block.at("ci95").is_null());
    EXPECT_TRUE(block.contains("ci95_unavailable"));
    EXPECT_TRUE(proportion_json(MetricSample{}, statistics).at("ci95").is_null());
}

TEST(PairedComparison, McNemarAndDecision) {
    // Seven questions on seven images: the first side is right on six the
    // second gets wrong, the second on one the first gets wrong, as in the
    // McNemar test's hand-computed table (p = 0.125).
    std::vector<ExampleInfo> examples;
    PairedSample sample;
    for (int i = 0; i < 7; ++i) {
        const std::string id = "q" + std::to_string(i);
        examples.push_back({id, "en", "img" + std::to_string(i), {}, {}});
        sample.add(i < 6 ? 1 : 0, i < 6 ? 0 : 1, id);
    }
    const StatisticsContext statistics(ExampleIndex(examples, {}), {});
    const auto result = paired_json(sample, statistics);
    EXPECT_EQ(result.at("pairs"), 7);
    EXPECT_NEAR(result.at("delta").get<double>(), 5.0 / 7.0, 1e-12);
    EXPECT_DOUBLE_EQ(result.at("mcnemar").at("p_value").get<double>(), 0.125);
    EXPECT_EQ(result.at("ci95").at("method"), "paired bootstrap");
    EXPECT_TRUE(result.at("percentiles").contains("2.5"));
    EXPECT_TRUE(result.at("percentiles").contains("50"));
    EXPECT_TRUE(result.at("percentiles").contains("97.5"));
    EXPECT_EQ(result.at("decision"), "higher");

    PairedSample none;
    EXPECT_EQ(paired_json(none, statistics).at("decision"), "no clear difference");
}

TEST(PairedComparison, UnpairedCallsAreCounted) {
    Prediction answered;
    answered.id = "q1";
    answered.correct = true;
    Prediction only_first = answered;
    only_first.id = "q2";
    Prediction failed = answered;
    failed.id = "q2";
    failed.ok = false;
    Prediction other = answered;
    other.correct = false;
    const PairedSample sample = pair_calls({&answered, &only_first}, {&other, &failed}, multiple_choice_accuracy());
    EXPECT_EQ(sample.size(), 1u);
    EXPECT_EQ(sample.unpaired_minuend, 1);
    EXPECT_EQ(sample.unpaired_subtrahend, 0);
    EXPECT_EQ(sample.minuend.front(), 1.0);
    EXPECT_EQ(sample.subtrahend.front(), 0.0);
    EXPECT_THROW((void)pair_calls({&answered, &answered}, {&other}, multiple_choice_accuracy()), Error);
}

}  // namespace
}  // namespace medvlm
