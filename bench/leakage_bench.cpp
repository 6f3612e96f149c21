// The leakage checks at the scale of a real training set: 10,000 train
// images and records against 2,000 eval images and records, with planted
// overlaps of every kind. The synthetic data set is written once to
// $MEDVLM_BENCH_DIR (default: the system temp folder) and reused.
//
//   build/default/bench/medvlm_leakage_bench --benchmark_out=bench/results/leakage_bench.json
//
// Each benchmark checks that the planted overlaps are found and fails
// otherwise, so a fast but wrong run cannot be recorded.

#include <benchmark/benchmark.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include "core/files.hpp"
#include "core/random.hpp"
#include "leakage/hamming_index.hpp"
#include "leakage/leakage_checks.hpp"
#include "leakage/minhash_lsh.hpp"
#include "leakage/question_text.hpp"

namespace medvlm {
namespace {

namespace fs = std::filesystem;

constexpr size_t kTrainImages = 10'000;
constexpr size_t kEvalImages = 2'000;
constexpr int kImageSize = 512;
// Planted overlaps: eval records that reuse train images or questions.
constexpr size_t kByteCopies = 100;
constexpr size_t kLosslessCopies = 50;
constexpr size_t kResizedCopies = 50;
constexpr size_t kRepeatedQuestions = 100;
constexpr size_t kEditedQuestions = 50;

// A grayscale "scan": a bright body outline with darker and brighter
// structures at random places, blurred and noisy.
cv::Mat synthetic_scan(SplitMix64& random) {
    cv::Mat image(kImageSize, kImageSize, CV_8UC1, cv::Scalar(0));
    const auto coordinate = [&](int low, int high) { return low + static_cast<int>(random.below(static_cast<uint64_t>(high - low))); };
    cv::ellipse(image, cv::Point(coordinate(200, 312), coordinate(200, 312)),
                cv::Size(coordinate(120, 220), coordinate(90, 200)), coordinate(0, 180), 0, 360,
                cv::Scalar(coordinate(90, 160)), cv::FILLED);
    const int structures = coordinate(6, 20);
    for (int i = 0; i < structures; ++i) {
        cv::ellipse(image, cv::Point(coordinate(60, 452), coordinate(60, 452)),
                    cv::Size(coordinate(5, 60), coordinate(5, 60)), coordinate(0, 180), 0, 360,
                    cv::Scalar(coordinate(0, 255)), cv::FILLED);
    }
    cv::GaussianBlur(image, image, cv::Size(0, 0), 2.0 + random.uniform() * 3.0);
    cv::Mat noise(kImageSize, kImageSize, CV_8UC1);
    cv::randu(noise, cv::Scalar(0), cv::Scalar(12));
    return image + noise;
}

std::string vignette(SplitMix64& random) {
    static const std::vector<std::string> syllables = {"ka", "lo", "mi", "ne", "ru", "sa", "to", "vi", "pe", "da",
                                                       "gu", "hi", "jo", "be", "fa", "co", "ze", "wy", "qu", "xe"};
    const size_t words = 80 + random.below(80);
    std::string text;
    for (size_t w = 0; w < words; ++w) {
        const size_t length = 2 + random.below(3);
        std::string word;
        for (size_t s = 0; s < length; ++s) {
            word += syllables[random.below(syllables.size())];
        }
        text += (w == 0 ? "" : " ") + word;
    }
    return text + "?";
}

std::string replace_one_word(const std::string& text, SplitMix64& random) {
    std::vector<size_t> spaces;
    for (size_t i = 0; i < text.size(); ++i) {
        if (text[i] == ' ') {
            spaces.push_back(i);
        }
    }
    const size_t start = spaces[random.below(spaces.size() - 1)] + 1;
    const size_t end = text.find(' ', start);
    return text.substr(0, start) + "zzzz" + text.substr(end);
}

struct BenchData {
    fs::path dir;
    std::vector<SourceSpec> train;
    std::vector<SourceSpec> eval;
};

void write_record(std::ofstream& out, const std::string& id, const std::string& image, const std::string& question) {
    out << nlohmann::json({{"id", id}, {"images", {image}}, {"question", question}, {"answer", "finding " + id}}).dump()
        << "\n";
}

// Writes the data set unless a complete copy exists.
BenchData prepare_data() {
    const char* root = std::getenv("MEDVLM_BENCH_DIR");
    BenchData data;
    data.dir = fs::path(root != nullptr ? root : fs::temp_directory_path().string()) / "medvlm-leakage-bench-v1";
    const auto spec = [&](const std::string& name) {
        return parse_source_spec("benchmark=generic,data=" + (data.dir / (name + ".jsonl")).string() +
                                 ",images=" + (data.dir / name).string() + ",name=" + name);
    };
    data.train = {spec("train")};
    data.eval = {spec("eval")};
    if (fs::exists(data.dir / "complete")) {
        return data;
    }

    fs::remove_all(data.dir);
    fs::create_directories(data.dir / "train");
    fs::create_directories(data.dir / "eval");
    SplitMix64 random(2024);
    std::vector<std::string> train_questions;
    std::ofstream train(data.dir / "train.jsonl");
    for (size_t i = 0; i < kTrainImages; ++i) {
        const std::string name = "t" + std::to_string(i) + ".jpg";
        cv::imwrite((data.dir / "train" / name).string(), synthetic_scan(random), {cv::IMWRITE_JPEG_QUALITY, 90});
        train_questions.push_back(vignette(random));
        write_record(train, "t" + std::to_string(i), name, train_questions.back());
    }

    std::ofstream eval(data.dir / "eval.jsonl");
    for (size_t i = 0; i < kEvalImages; ++i) {
        const std::string name = "e" + std::to_string(i);
        const fs::path source = data.dir / "train" / ("t" + std::to_string(i * 5) + ".jpg");
        std::string file = name + ".jpg";
        if (i < kByteCopies) {
            fs::copy_file(source, data.dir / "eval" / file);
        } else if (i < kByteCopies + kLosslessCopies) {
            file = name + ".png";
            cv::imwrite((data.dir / "eval" / file).string(), cv::imread(source.string(), cv::IMREAD_UNCHANGED));
        } else if (i < kByteCopies + kLosslessCopies + kResizedCopies) {
            cv::Mat smaller;
            cv::resize(cv::imread(source.string(), cv::IMREAD_UNCHANGED), smaller, cv::Size(), 0.75, 0.75,
                       cv::INTER_AREA);
            cv::imwrite((data.dir / "eval" / file).string(), smaller, {cv::IMWRITE_JPEG_QUALITY, 75});
        } else {
            cv::imwrite((data.dir / "eval" / file).string(), synthetic_scan(random), {cv::IMWRITE_JPEG_QUALITY, 90});
        }
        // Questions: exact repeats and one-word edits of train vignettes
        // on other records than the image copies.
        std::string question;
        if (i >= 1000 && i < 1000 + kRepeatedQuestions) {
            question = train_questions[i * 3];
        } else if (i >= 1200 && i < 1200 + kEditedQuestions) {
            question = replace_one_word(train_questions[i * 3], random);
        } else {
            question = vignette(random);
        }
        write_record(eval, name, file, question);
    }
    train.close();
    eval.close();
    write_file_atomic(data.dir / "complete", "");
    return data;
}

const BenchData& bench_data() {
    static const BenchData data = prepare_data();
    return data;
}

unsigned bench_threads() {
    const char* text = std::getenv("MEDVLM_BENCH_THREADS");
    return text != nullptr ? static_cast<unsigned>(std::atoi(text)) : 2u;
}

// Loading, decoding and hashing every image, and every check.
void BM_LeakageEndToEnd(benchmark::State& state) {
    const BenchData& data = bench_data();
    LeakageSettings settings;
    settings.threads = bench_threads();
    for (auto _ : state) {
        std::vector<Source> train = load_sources(data.train, SourceLoadOptions{});
        std::vector<Source> eval = load_sources(data.eval, SourceLoadOptions{});
        const LeakageResult result = find_leakage(train, eval, settings);
        benchmark::DoNotOptimize(result.pairs.data());

        const auto& totals = result.totals;
        state.counters["images"] = static_cast<double>(result.images.paths.size());
        state.counters["file_pairs"] = static_cast<double>(totals.at(LeakageCheck::ImageFileSha256).pairs);
        state.counters["pixel_pairs"] = static_cast<double>(totals.at(LeakageCheck::ImagePixelSha256).pairs);
        state.counters["phash_pairs"] = static_cast<double>(totals.at(LeakageCheck::ImagePhash).pairs);
        state.counters["question_pairs"] = static_cast<double>(totals.at(LeakageCheck::QuestionExact).pairs);
        state.counters["near_duplicate_pairs"] =
            static_cast<double>(totals.at(LeakageCheck::QuestionNearDuplicate).pairs);
        if (totals.at(LeakageCheck::ImageFileSha256).eval_records < kByteCopies ||
            totals.at(LeakageCheck::ImagePixelSha256).eval_records < kLosslessCopies ||
            totals.at(LeakageCheck::ImagePhash).eval_records < kResizedCopies ||
            totals.at(LeakageCheck::QuestionExact).eval_records < kRepeatedQuestions ||
            totals.at(LeakageCheck::QuestionNearDuplicate).eval_records < kEditedQuestions) {
            state.SkipWithError("a planted overlap was not found");
            return;
        }
    }
    state.counters["threads"] = static_cast<double>(settings.threads);
}
BENCHMARK(BM_LeakageEndToEnd)->Unit(benchmark::kSecond)->Iterations(1)->UseRealTime();

// The image side alone: decode, SHA-256 of bytes and pixels, pHash.
void BM_FingerprintImages(benchmark::State& state) {
    const BenchData& data = bench_data();
    for (auto _ : state) {
        std::vector<Source> train = load_sources(data.train, SourceLoadOptions{});
        std::vector<Source> eval = load_sources(data.eval, SourceLoadOptions{});
        std::vector<Source*> all = {&train[0], &eval[0]};
        const ImageTable table = fingerprint_sources(all, ImageLimits{}, bench_threads(), false);
        state.counters["images"] = static_cast<double>(table.paths.size());
    }
}
BENCHMARK(BM_FingerprintImages)->Unit(benchmark::kSecond)->Iterations(1)->UseRealTime();

// The near-duplicate question index alone: shingles, MinHash signatures
// and LSH lookups for 10,000 train and 2,000 eval vignettes.
void BM_NearDuplicateQuestions(benchmark::State& state) {
    SplitMix64 random(7);
    std::vector<std::vector<uint64_t>> train;
    for (size_t i = 0; i < kTrainImages; ++i) {
        train.push_back(word_shingles(vignette(random), kDefaultShingleWords));
    }
    std::vector<std::vector<uint64_t>> eval;
    for (size_t i = 0; i < kEvalImages; ++i) {
        eval.push_back(word_shingles(vignette(random), kDefaultShingleWords));
    }
    for (auto _ : state) {
        const MinHashIndex index(train, choose_lsh_parameters(kDefaultQuestionJaccard));
        size_t candidates = 0;
        for (const auto& query : eval) {
            candidates += index.candidates(query).size();
        }
        state.counters["candidates"] = static_cast<double>(candidates);
    }
}
BENCHMARK(BM_NearDuplicateQuestions)->Unit(benchmark::kMillisecond)->UseRealTime();

// pHash lookups: 2,000 queries against 10,000 hashes at the default threshold.
void BM_HammingIndexQueries(benchmark::State& state) {
    SplitMix64 random(11);
    std::vector<uint64_t> stored(kTrainImages);
    for (auto& hash : stored) {
        hash = random.next();
    }
    std::vector<uint64_t> queries(kEvalImages);
    for (auto& hash : queries) {
        hash = random.next();
    }
    const HammingIndex index(stored, kDefaultPhashMaxDistance);
    for (auto _ : state) {
        size_t found = 0;
        for (const uint64_t query : queries) {
            found += index.query(query).size();
        }
        benchmark::DoNotOptimize(found);
    }
}
BENCHMARK(BM_HammingIndexQueries)->Unit(benchmark::kMillisecond)->UseRealTime();

}  // namespace
}  // namespace medvlm

BENCHMARK_MAIN();
