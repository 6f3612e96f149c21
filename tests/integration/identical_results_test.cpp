// The in-process engine's caches and batching change the work, never the
// results: every call gives the same output as the same call evaluated
// alone from an empty KV cache, with every image encoded again. Checked
// token for token for generation and for the choice log-probabilities,
// whose stated tolerance is 0 (the engine cuts batches so that llama.cpp's
// CPU kernels round every token the same way; engine/prompt_pieces.hpp).
//
// Workloads: the full multiple-choice protocol (5 modes x 5 rotations) on
// real MedXpertQA-MM rows with stand-in images, and SLAKE short answers on
// real images, with the tiny model.

#include <gtest/gtest.h>

#include <cmath>

#include "data/dataset.hpp"
#include "engine/llama_engine.hpp"
#include "model/tiny_model.hpp"
#include "run/call_plan.hpp"
#include "support/stand_in_support.hpp"
#include "support/test_support.hpp"

namespace medvlm {
namespace {

// Stated tolerance for choice log-probabilities (natural log).
constexpr double kLogprobTolerance = 0.0;

// The calls of a MedXpertQA-MM run over the first `rows` rows, as `medvlm
// eval` plans them.
std::vector<EngineRequest> medxpertqa_requests(size_t rows, Scoring scoring, int max_new_tokens) {
    static const Dataset dataset = testing::load_medxpertqa_with_stand_ins(4);
    Dataset subset = dataset;
    subset.examples.resize(rows);
    EvalConfig config;
    config.dataset.benchmark = Benchmark::MedXpertQaMm;
    config.modes = all_modes();
    config.rotations = 5;
    config.scoring = scoring;
    config.max_new_tokens = max_new_tokens;
    std::vector<EngineRequest> requests;
    for (const auto& call : plan_calls(config, subset)) {
        requests.push_back(call.request);
    }
    return requests;
}

std::vector<EngineRequest> slake_requests(size_t rows) {
    static const Dataset dataset = [] {
        const auto data = testing::shared_data_dir();
        DatasetOptions options;
        options.benchmark = Benchmark::Slake;
        options.data_file = data / "slake/test.json";
        options.image_root = data / "slake/images";
        options.limit = 12;
        return load_dataset(options);
    }();
    Dataset subset = dataset;
    subset.examples.resize(rows);
    EvalConfig config;
    config.dataset.benchmark = Benchmark::Slake;
    config.modes = {AblationMode::ImageText, AblationMode::TextOnly};
    config.max_new_tokens = 16;
    std::vector<EngineRequest> requests;
    for (const auto& call : plan_calls(config, subset)) {
        requests.push_back(call.request);
    }
    return requests;
}

LlamaEngineOptions base_options(const TinyModelFiles& files) {
    LlamaEngineOptions options = testing::tiny_engine_options(files);
    options.use_gpu = false;
    return options;
}

// Each call alone, from an empty KV cache, every image encoded.
std::vector<EngineResult> from_scratch(const TinyModelFiles& files, const std::vector<EngineRequest>& requests) {
    LlamaEngineOptions options = base_options(files);
    options.parallel = 1;
    options.image_cache_bytes = 0;
    options.prefix_cache = false;
    const auto engine = make_llama_engine(options);
    std::vector<EngineResult> results;
    for (const auto& request : requests) {
        results.push_back(engine->run(request));
    }
    return results;
}

// The calls in batches of the engine's preferred size, as the runner sends them.
std::vector<EngineResult> batched(const LlamaEngineOptions& options, const std::vector<EngineRequest>& requests) {
    const auto engine = make_llama_engine(options);
    std::vector<EngineResult> results;
    const size_t size = engine->preferred_batch_size();
    for (size_t start = 0; start < requests.size(); start += size) {
        const std::vector<EngineRequest> batch(requests.begin() + static_cast<std::ptrdiff_t>(start),
                                               requests.begin() + static_cast<std::ptrdiff_t>(std::min(requests.size(), start + size)));
        for (auto& result : engine->run_batch(batch)) {
            results.push_back(std::move(result));
        }
    }
    return results;
}

void expect_identical(const std::vector<EngineResult>& expected, const std::vector<EngineResult>& actual,
                      const std::string& label) {
    ASSERT_EQ(expected.size(), actual.size()) << label;
    for (size_t i = 0; i < expected.size(); ++i) {
        const std::string context = label + ", call " + std::to_string(i);
        ASSERT_TRUE(expected[i].ok) << context << ": " << expected[i].error;
        ASSERT_TRUE(actual[i].ok) << context << ": " << actual[i].error;
        EXPECT_EQ(actual[i].text, expected[i].text) << context;
        EXPECT_EQ(actual[i].generated_tokens, expected[i].generated_tokens) << context;
        EXPECT_EQ(actual[i].truncated, expected[i].truncated) << context;
        EXPECT_EQ(actual[i].prompt_tokens, expected[i].prompt_tokens) << context;
        EXPECT_EQ(actual[i].image_tokens, expected[i].image_tokens) << context;
        EXPECT_EQ(actual[i].images_encoded, expected[i].images_encoded) << context;
        ASSERT_EQ(actual[i].choice_logprobs.size(), expected[i].choice_logprobs.size()) << context;
        for (const auto& [letter, logprob] : expected[i].choice_logprobs) {
            ASSERT_TRUE(actual[i].choice_logprobs.contains(letter)) << context << " " << letter;
            EXPECT_LE(std::fabs(actual[i].choice_logprobs.at(letter) - logprob), kLogprobTolerance)
                << context << " " << letter << ": " << actual[i].choice_logprobs.at(letter) << " vs " << logprob;
        }
    }
}

struct WorkTotals {
    int64_t image_encodes = 0;
    int64_t new_image_chunks = 0;
    int64_t image_chunks = 0;
    int64_t evaluated = 0;
    int64_t reused = 0;
    int64_t minimum = 0;
    int64_t prompt_tokens = 0;
};

WorkTotals totals(const std::vector<EngineResult>& results) {
    WorkTotals sum;
    for (const auto& result : results) {
        sum.image_encodes += result.image_encodes;
        sum.new_image_chunks += result.new_image_chunks;
        sum.image_chunks += result.image_chunks;
        sum.evaluated += result.prompt_tokens_evaluated;
        sum.reused += result.prompt_tokens_reused;
        sum.minimum += result.new_prompt_tokens;
        sum.prompt_tokens += result.prompt_tokens;
    }
    return sum;
}

TEST(IdenticalResults, GenerationMatchesFromScratch) {
    const auto& files = testing::tiny_model();
    const auto requests = medxpertqa_requests(3, Scoring::Generate, 12);
    ASSERT_EQ(requests.size(), 75u);
    const auto expected = from_scratch(files, requests);

    LlamaEngineOptions cached = base_options(files);
    expect_identical(expected, batched(cached, requests), "caches, 1 sequence");

    cached.parallel = 3;
    expect_identical(expected, batched(cached, requests), "caches, 3 sequences");

    LlamaEngineOptions one_of_each = base_options(files);
    one_of_each.parallel = 4;
    one_of_each.image_cache_bytes = 0;
    expect_identical(expected, batched(one_of_each, requests), "prefix cache only, 4 sequences");
    one_of_each.image_cache_bytes = size_t{256} << 20;
    one_of_each.prefix_cache = false;
    expect_identical(expected, batched(one_of_each, requests), "image cache only, 4 sequences");
}

TEST(IdenticalResults, ChoiceLogprobMatchesFromScratch) {
    const auto& files = testing::tiny_model();
    const auto requests = medxpertqa_requests(3, Scoring::ChoiceLogprob, 0);
    const auto expected = from_scratch(files, requests);

    LlamaEngineOptions cached = base_options(files);
    expect_identical(expected, batched(cached, requests), "caches, 1 sequence");
    cached.parallel = 5;
    expect_identical(expected, batched(cached, requests), "caches, 5 sequences");
}

TEST(IdenticalResults, ShortAnswersMatchFromScratch) {
    const auto& files = testing::tiny_model();
    const auto requests = slake_requests(10);
    ASSERT_EQ(requests.size(), 20u);
    const auto expected = from_scratch(files, requests);
    LlamaEngineOptions cached = base_options(files);
    cached.parallel = 4;
    expect_identical(expected, batched(cached, requests), "caches, 4 sequences");
}

TEST(IdenticalResults, EvictedEmbeddingsAreEncodedAgain) {
    const auto& files = testing::tiny_model();
    const auto requests = medxpertqa_requests(3, Scoring::Generate, 6);
    const auto expected = from_scratch(files, requests);

    // Room for one image chunk (the tiny model's chunks are 4 tokens of 64
    // floats): most images are evicted before their next use, loaded again
    // from disk and encoded again.
    LlamaEngineOptions small = base_options(files);
    small.parallel = 2;
    small.image_cache_bytes = 4 * 64 * sizeof(float);
    const auto results = batched(small, requests);
    expect_identical(expected, results, "small image cache, 2 sequences");
    const WorkTotals work = totals(results);
    EXPECT_GT(work.image_encodes, work.new_image_chunks);
}

TEST(IdenticalResults, QuantizedWeightsMatchFromScratch) {
    TinyModelOptions model;
    model.out_dir = testing::make_temp_dir("tiny-q8");
    model.seed = 3;
    model.weight_type = TinyWeightType::Q8_0;
    const TinyModelFiles files = write_tiny_model(model);
    const auto requests = medxpertqa_requests(2, Scoring::Generate, 12);
    const auto expected = from_scratch(files, requests);
    LlamaEngineOptions cached = base_options(files);
    cached.parallel = 3;
    expect_identical(expected, batched(cached, requests), "q8_0, caches, 3 sequences");
}

TEST(IdenticalResults, CountersShowTheSavings) {
    const auto& files = testing::tiny_model();
    const auto requests = medxpertqa_requests(3, Scoring::Generate, 4);
    const auto scratch = from_scratch(files, requests);
    LlamaEngineOptions options = base_options(files);
    const auto cached = batched(options, requests);
    options.parallel = 3;
    const auto parallel = batched(options, requests);

    const WorkTotals naive = totals(scratch);
    const WorkTotals one = totals(cached);
    const WorkTotals three = totals(parallel);

    // From scratch: every chunk encoded, every token evaluated.
    EXPECT_EQ(naive.image_encodes, naive.image_chunks);
    EXPECT_EQ(naive.evaluated, naive.prompt_tokens);
    EXPECT_EQ(naive.reused, 0);

    // The minimum is a property of the prompts, whatever the order.
    EXPECT_EQ(one.minimum, naive.minimum);
    EXPECT_EQ(three.minimum, naive.minimum);
    EXPECT_EQ(one.new_image_chunks, naive.new_image_chunks);
    EXPECT_LT(naive.new_image_chunks, naive.image_chunks);

    for (const WorkTotals* run : {&one, &three}) {
        EXPECT_EQ(run->image_encodes, run->new_image_chunks);
        EXPECT_EQ(run->evaluated + run->reused, run->prompt_tokens);
        // Each rotation rewrites the answer choices and what follows them,
        // so about half of the prompt tokens are new: reuse saves up to half.
        EXPECT_LT(run->evaluated, naive.evaluated);
        EXPECT_LT(run->minimum, naive.evaluated);
        EXPECT_GE(run->evaluated, run->minimum);
        // Within 1.3 times the minimum, the target for this protocol.
        EXPECT_LE(static_cast<double>(run->evaluated), 1.3 * static_cast<double>(run->minimum));
    }
    for (size_t i = 0; i < cached.size(); ++i) {
        EXPECT_EQ(cached[i].prompt_tokens_evaluated + cached[i].prompt_tokens_reused, cached[i].prompt_tokens) << i;
    }
}

}  // namespace
}  // namespace medvlm
