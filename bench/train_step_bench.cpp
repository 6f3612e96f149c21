// Seconds per training step and peak memory of `medvlm train`'s LoRA trainer
// at SmolVLM-256M shapes (random weights, Q8_0 frozen matrices, rank 8), one
// variant per process so each peak is its own. Appends one JSON line per run
// to --out and prints the run as a Markdown table row. train_step_bench.sh
// runs the three variants and writes the table for docs/benchmarks.md.
//
//   medvlm_train_bench --variant A --work-dir DIR --data-dir ../shared/data --out results.jsonl

#include <chrono>
#include <cstdio>
#include <fstream>
#include <set>
#include <thread>

#include <sys/resource.h>

#include <CLI/CLI.hpp>
#include <fmt/format.h>
#include <nlohmann/json.hpp>
#include <spdlog/spdlog.h>

#include "core/files.hpp"
#include "data/dataset.hpp"
#include "model/tiny_model.hpp"
#include "train/lora_optimizer.hpp"
#include "train/process_memory.hpp"
#include "train/training_records.hpp"
#include "train/training_session.hpp"

namespace {

using Clock = std::chrono::steady_clock;

double seconds_since(Clock::time_point start) { return std::chrono::duration<double>(Clock::now() - start).count(); }

// The 1-minute load average from /proc/loadavg, or -1 where it is missing.
double load_average() {
    std::ifstream file("/proc/loadavg");
    double load = -1.0;
    file >> load;
    return load;
}

// User plus system CPU time of this process so far, in seconds. On a
// machine shared with other jobs the wall time of a step grows with the
// load, but its CPU time stays close to what an idle machine would spend.
double process_cpu_seconds() {
    rusage usage{};
    getrusage(RUSAGE_SELF, &usage);
    const auto seconds = [](const timeval& time) {
        return static_cast<double>(time.tv_sec) + static_cast<double>(time.tv_usec) * 1e-6;
    };
    return seconds(usage.ru_utime) + seconds(usage.ru_stime);
}

double megabytes(int64_t bytes) { return static_cast<double>(bytes) / (1024.0 * 1024.0); }

// Stage file of `count` English SLAKE train records with different images.
std::filesystem::path write_stage(const std::filesystem::path& data_dir, const std::filesystem::path& path, size_t count) {
    medvlm::DatasetOptions options;
    options.benchmark = medvlm::Benchmark::Slake;
    options.data_file = data_dir / "slake/train.json";
    options.image_root = data_dir / "slake/images";
    const medvlm::Dataset dataset = medvlm::load_dataset(options);
    std::string content;
    std::set<std::string> images;
    for (const auto& example : dataset.examples) {
        if (images.size() == count) {
            break;
        }
        if (!images.insert(example.images.front().sha256).second) {
            continue;
        }
        const nlohmann::json line = {
            {"id", "slake:train:" + example.id},
            {"stage", 2},
            {"source", {{"benchmark", "slake"}, {"file", "slake/train.json"}, {"record_id", example.id}}},
            {"images", {std::filesystem::absolute(example.images.front().path).string()}},
            {"image_sha256", {example.images.front().sha256}},
            {"prompt", example.question + "\nAnswer with a word or a short phrase."},
            {"answer", example.answer},
        };
        content += line.dump() + "\n";
    }
    medvlm::write_file_atomic(path, content);
    return path;
}

}  // namespace

int run(int argc, char** argv) {
    CLI::App app{"Seconds per step and peak memory of the LoRA trainer at SmolVLM-256M shapes"};
    std::string variant = "A";
    std::string work_dir;
    std::string data_dir = "../shared/data";
    std::string out;
    int steps = 4;
    int threads = 2;
    int late_vision_blocks = 2;
    int rank = 8;
    bool f32_backward_weights = false;
    app.add_option("--variant", variant, "A, B or C")->check(CLI::IsMember({"A", "B", "C"}));
    app.add_option("--work-dir", work_dir, "Folder for the model, stage file and vision cache (reused)")->required();
    app.add_option("--data-dir", data_dir, "The benchmark data folder (slake/ inside)");
    app.add_option("--out", out, "JSON Lines file the result is appended to")->required();
    app.add_option("--steps", steps, "Timed steps after one warm-up step")->check(CLI::PositiveNumber);
    app.add_option("--threads", threads, "CPU threads")->check(CLI::PositiveNumber);
    app.add_option("--late-vision-blocks", late_vision_blocks, "Variant C: adapted vision blocks");
    app.add_option("--rank", rank, "LoRA rank")->check(CLI::PositiveNumber);
    app.add_flag("--f32-backward-weights", f32_backward_weights,
                 "F32 backward copies of the language model's quantized weights, as medvlm train's flag of the "
                 "same name");
    CLI11_PARSE(app, argc, argv);
    spdlog::set_level(spdlog::level::warn);

    const std::filesystem::path dir = work_dir;
    const std::filesystem::path model_dir = dir / "smolvlm-256m-q8_0";
    if (!std::filesystem::exists(model_dir / "mmproj.gguf")) {
        medvlm::TinyModelOptions model;
        model.out_dir = model_dir;
        model.seed = 1;
        model.shape = medvlm::TinyModelShape::SmolVlm256M;
        model.weight_type = medvlm::TinyWeightType::Q8_0;
        (void)medvlm::write_tiny_model(model);
    }
    const auto stage = write_stage(data_dir, dir / "stage.jsonl", 3);

    medvlm::SessionOptions options;
    options.model = model_dir / "model.gguf";
    options.mmproj = model_dir / "mmproj.gguf";
    options.variant = medvlm::parse_variant(variant);
    options.late_vision_blocks = options.variant == medvlm::Variant::C ? late_vision_blocks : 0;
    options.rank = rank;
    options.alpha = static_cast<float>(2 * rank);
    options.threads = threads;
    options.cache_dir = dir / "vision-cache";
    options.f32_backward_weights = f32_backward_weights;

    // Every run computes its own cache, so the uncached cost per tile is
    // measured too.
    std::filesystem::remove_all(dir / "vision-cache");
    const double load_before = load_average();
    const auto load_start = Clock::now();
    medvlm::TrainingSession session(options);
    const auto samples = session.prepare_samples(medvlm::read_training_files({stage}).records);
    const double load_seconds = seconds_since(load_start);

    // The frozen vision activations of every tile, one tile at a time: the
    // cost the cache saves on every later step.
    const auto cache_start = Clock::now();
    size_t tiles = 0;
    session.cache_vision(samples, [&](size_t done, size_t) { tiles = done; });
    const double seconds_per_tile = tiles > 0 ? seconds_since(cache_start) / static_cast<double>(tiles) : 0.0;
    const int64_t setup_peak = medvlm::read_process_memory().peak_bytes;

    const bool reset = medvlm::reset_peak_memory();
    medvlm::LoraOptimizer optimizer(session, medvlm::AdamWSettings{1e-4f});
    (void)optimizer.step(samples[0]);
    std::vector<double> step_seconds;
    std::vector<double> step_cpu_seconds;
    int64_t tokens = 0;
    for (int step = 0; step < steps; ++step) {
        const auto& sample = samples[static_cast<size_t>(step + 1) % samples.size()];
        const auto start = Clock::now();
        const double cpu_start = process_cpu_seconds();
        (void)optimizer.step(sample);
        step_seconds.push_back(seconds_since(start));
        step_cpu_seconds.push_back(process_cpu_seconds() - cpu_start);
        tokens += static_cast<int64_t>(sample.token_ids.size());
    }
    double total = 0;
    double total_cpu = 0;
    for (int step = 0; step < steps; ++step) {
        total += step_seconds[static_cast<size_t>(step)];
        total_cpu += step_cpu_seconds[static_cast<size_t>(step)];
    }
    const medvlm::ProcessMemory memory = medvlm::read_process_memory();

    const nlohmann::json result = {
        {"variant", variant},
        {"late_vision_blocks", options.late_vision_blocks},
        {"rank", rank},
        {"weights", "Q8_0"},
        {"f32_backward_weights", f32_backward_weights},
        {"threads", threads},
        {"hardware_threads", std::thread::hardware_concurrency()},
        {"tokens_per_step", static_cast<double>(tokens) / steps},
        {"tiles_per_step", static_cast<double>(samples[1].tiles.size())},
        {"trainable_parameters", session.lora().parameter_count()},
        {"seconds_per_step", total / steps},
        {"step_seconds", step_seconds},
        {"cpu_seconds_per_step", total_cpu / steps},
        {"step_cpu_seconds", step_cpu_seconds},
        {"seconds_per_uncached_tile", seconds_per_tile},
        {"load_seconds", load_seconds},
        {"training_peak_mb", reset ? megabytes(memory.peak_bytes) : -1.0},
        {"process_peak_mb", megabytes(std::max(setup_peak, memory.peak_bytes))},
        {"load_average_before", load_before},
        {"load_average_after", load_average()},
    };
    std::ofstream file(out, std::ios::app);
    file << result.dump() << "\n";
    if (!file) {
        std::fprintf(stderr, "error: failed to append to %s; check that its folder exists and is writable\n", out.c_str());
        return 1;
    }

    // One row of the table in docs/benchmarks.md. train_step_bench.sh
    // prints the header.
    const std::string blocks =
        options.late_vision_blocks == 1 ? "block" : fmt::format("{} blocks", options.late_vision_blocks);
    const std::string name = variant == "C" ? fmt::format("C (last {})", blocks) : variant;
    const std::string backward = f32_backward_weights ? "F32 copies (`--f32-backward-weights`)" : "quantized (default)";
    fmt::print("| {} | {} | {:.1f} | {:.1f} | {:.0f} | {:.0f} | {:.0f} | {} | {:.1f} | {} | {:.1f} to {:.1f} |\n", name,
               backward, total / steps, total_cpu / steps,
               result.at("training_peak_mb").get<double>(), result.at("process_peak_mb").get<double>(),
               result.at("tokens_per_step").get<double>(), samples[1].tiles.size(), seconds_per_tile, threads,
               load_before, result.at("load_average_after").get<double>());
    return 0;
}

int main(int argc, char** argv) {
    try {
        return run(argc, argv);
    } catch (const std::exception& e) {
        std::fprintf(stderr, "error: %s\n", e.what());
        return 1;
    }
}
