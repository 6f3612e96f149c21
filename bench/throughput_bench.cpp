// Throughput of four ways to run the same evaluation calls, measured in one
// run on one machine with the same model files and rows:
//   1. medvlm in process with its caches and --parallel batching;
//   2. medvlm in process with the caches off and one sequence (the naive loop);
//   3. a loop that calls llama-mtmd-cli (llama-completion for calls without
//      images) once per call, with the same prompts;
//   4. llama-server with medvlm's openai engine at the same concurrency.
// Workloads: SLAKE English test rows x image+text, and MedXpertQA-MM rows
// (stand-in images) x 5 modes x 5 rotations, with the tiny test model and
// with random weights at SmolVLM-256M shapes. bench/throughput.sh runs it;
// the results go to OUT/throughput.json and the table to OUT/throughput.md.
//
// Timings are wall times of whole commands (model loading included), and
// peak memory is the largest resident set of the processes of a method
// (for 4, the server's: the client runs inside this program).

#include <signal.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <fcntl.h>
#include <unistd.h>

#include <chrono>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <memory>
#include <optional>
#include <iostream>
#include <regex>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include <CLI/CLI.hpp>
#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "core/error.hpp"
#include "core/files.hpp"
#include "data/dataset.hpp"
#include "engine/openai_engine.hpp"
#include "engine/openai_http.hpp"
#include "run/call_plan.hpp"

namespace medvlm {
namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

struct BenchOptions {
    fs::path data_dir;
    fs::path out_dir;
    fs::path medvlm;
    fs::path llama_bin;
    std::vector<std::string> shapes = {"tiny", "smolvlm-256m"};
    std::vector<std::string> workloads = {"slake", "medxpertqa"};
    std::vector<int> methods = {1, 2, 3, 4};
    std::string weight_type = "q8_0";
    size_t slake_rows = 50;
    size_t medxpertqa_rows = 20;
    int parallel = 4;
    int threads = 0;
    int ctx_size = 4096;
    int stand_in_size = 512;
};

struct ProcessResult {
    int exit_code = -1;
    double wall_s = 0;
    double cpu_s = 0;
    int64_t max_rss_kb = 0;
};

double cpu_seconds(const rusage& usage) {
    return static_cast<double>(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) +
           static_cast<double>(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6;
}

pid_t spawn(const std::vector<std::string>& arguments, const fs::path& log) {
    std::vector<std::string> copy = arguments;
    std::vector<char*> argv;
    for (auto& argument : copy) {
        argv.push_back(argument.data());
    }
    argv.push_back(nullptr);
    const pid_t pid = ::fork();
    if (pid < 0) {
        throw Error("fork failed while starting " + arguments.front());
    }
    if (pid == 0) {
        const int null_fd = ::open("/dev/null", O_RDONLY);
        ::dup2(null_fd, STDIN_FILENO);
        const int fd = ::open(log.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
        ::dup2(fd, STDOUT_FILENO);
        ::dup2(fd, STDERR_FILENO);
        ::execv(argv[0], argv.data());
        ::_exit(127);
    }
    return pid;
}

ProcessResult wait_for(pid_t pid, Clock::time_point start) {
    int status = 0;
    rusage usage{};
    ::wait4(pid, &status, 0, &usage);
    ProcessResult result;
    result.wall_s = std::chrono::duration<double>(Clock::now() - start).count();
    result.cpu_s = cpu_seconds(usage);
    result.max_rss_kb = usage.ru_maxrss;
    result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    return result;
}

ProcessResult run_process(const std::vector<std::string>& arguments, const fs::path& log) {
    const auto start = Clock::now();
    return wait_for(spawn(arguments, log), start);
}

void run_checked(const std::vector<std::string>& arguments, const fs::path& log) {
    const ProcessResult result = run_process(arguments, log);
    if (result.exit_code != 0) {
        throw Error(arguments.front() + " failed with exit code " + std::to_string(result.exit_code) + "; see " +
                    log.string());
    }
}

std::string read_text(const fs::path& path) {
    std::ifstream in(path, std::ios::binary);
    std::ostringstream content;
    content << in.rdbuf();
    return content.str();
}

// A workload: the rows and the protocol of one `medvlm eval` run.
struct Workload {
    std::string name;
    std::vector<std::string> eval_arguments;  // data, images, modes, rotations
    DatasetOptions dataset;
    EvalConfig config;
};

Workload slake_workload(const BenchOptions& options) {
    Workload workload;
    workload.name = "slake";
    const fs::path data = options.data_dir / "slake/test.json";
    const fs::path images = options.data_dir / "slake/images";
    workload.eval_arguments = {"--benchmark", "slake", "--data", data.string(), "--image-root", images.string(),
                               "--lang", "en", "--limit", std::to_string(options.slake_rows), "--modes", "image+text"};
    workload.dataset.benchmark = Benchmark::Slake;
    workload.dataset.data_file = data;
    workload.dataset.image_root = images;
    workload.dataset.limit = options.slake_rows;
    workload.config.modes = {AblationMode::ImageText};
    return workload;
}

Workload medxpertqa_workload(const BenchOptions& options, const fs::path& stand_ins) {
    Workload workload;
    workload.name = "medxpertqa";
    const fs::path data = options.data_dir / "medxpertqa_mm/MM_test.sample.jsonl";
    workload.eval_arguments = {"--benchmark", "medxpertqa-mm", "--data", data.string(), "--image-root",
                               stand_ins.string(), "--stand-in-images", "--limit", std::to_string(options.medxpertqa_rows),
                               "--modes", "text-only,image+text,shuffled-image,options-only,image+options-only",
                               "--rotations", "5"};
    workload.dataset.benchmark = Benchmark::MedXpertQaMm;
    workload.dataset.data_file = data;
    workload.dataset.image_root = stand_ins;
    workload.dataset.limit = options.medxpertqa_rows;
    workload.dataset.stand_in_images = true;
    workload.config.modes = all_modes();
    workload.config.rotations = 5;
    return workload;
}

struct ModelFiles {
    std::string shape;
    fs::path model;
    fs::path mmproj;
};

std::vector<std::string> engine_flags(const BenchOptions& options, const ModelFiles& model) {
    return {"--model", model.model.string(), "--mmproj", model.mmproj.string(), "--ctx-size",
            std::to_string(options.ctx_size), "--threads", std::to_string(options.threads), "--no-gpu"};
}

// Reads summary.json's work counters and completeness of a run directory.
nlohmann::json run_counts(const fs::path& run_dir) {
    const nlohmann::json summary = read_json_file(run_dir / "summary.json");
    return {{"work", summary.at("work")}, {"completeness", summary.at("completeness")}};
}

// Sums the engine's prompt, encoder and generation times over a run's
// predictions.jsonl. With one sequence (method 2) the parts add up to the
// engine's share of the wall time. With several, a shared batch counts
// once for each call in it.
nlohmann::json engine_costs(const fs::path& predictions) {
    std::istringstream lines(read_file(predictions));
    double prompt_eval_ms = 0;
    double image_encode_ms = 0;
    double generate_ms = 0;
    std::string line;
    size_t line_number = 0;
    while (std::getline(lines, line)) {
        ++line_number;
        if (line.empty()) {
            continue;
        }
        try {
            const auto timings = nlohmann::json::parse(line).at("timings_ms");
            prompt_eval_ms += timings.at("prompt_eval").get<double>();
            image_encode_ms += timings.at("image_encode").get<double>();
            generate_ms += timings.at("generate").get<double>();
        } catch (const nlohmann::json::exception& e) {
            throw InputError(predictions.string() + " line " + std::to_string(line_number) +
                             ": no readable timings_ms (" + e.what() + "); run the method again");
        }
    }
    return {{"prompt_eval_ms", prompt_eval_ms}, {"image_encode_ms", image_encode_ms}, {"generate_ms", generate_ms}};
}

nlohmann::json measure_medvlm(const BenchOptions& options, const ModelFiles& model, const Workload& workload,
                              const fs::path& run_dir, const std::vector<std::string>& method_flags) {
    std::vector<std::string> arguments = {options.medvlm.string(), "eval"};
    arguments.insert(arguments.end(), workload.eval_arguments.begin(), workload.eval_arguments.end());
    const auto engine = engine_flags(options, model);
    arguments.insert(arguments.end(), engine.begin(), engine.end());
    arguments.insert(arguments.end(), method_flags.begin(), method_flags.end());
    arguments.insert(arguments.end(), {"--out", run_dir.string(), "--force-new"});
    fs::remove_all(run_dir);
    const ProcessResult result = run_process(arguments, run_dir.string() + ".log");
    nlohmann::json measured = {{"wall_s", result.wall_s},
                               {"cpu_s", result.cpu_s},
                               {"peak_rss_mb", static_cast<double>(result.max_rss_kb) / 1024.0},
                               {"exit_code", result.exit_code}};
    if (fs::exists(run_dir / "summary.json")) {
        measured.update(run_counts(run_dir));
    }
    if (fs::exists(run_dir / "predictions.jsonl")) {
        measured["engine_costs"] = engine_costs(run_dir / "predictions.jsonl");
    }
    return measured;
}

// The calls `medvlm eval` plans for a workload, for the methods that send
// them without medvlm's runner.
std::vector<PlannedCall> plan_workload(const Workload& workload) {
    static std::vector<std::unique_ptr<Dataset>> datasets;  // PlannedCall points into its dataset
    datasets.push_back(std::make_unique<Dataset>(load_dataset(workload.dataset)));
    EvalConfig config = workload.config;
    config.dataset = workload.dataset;
    return plan_calls(config, *datasets.back());
}

// The user turn llama-mtmd-cli gets: one media marker per image, then the
// user text, which its chat template wraps as medvlm's does. The system
// prompt goes in with -sys.
std::string mtmd_prompt(const EngineRequest& request) {
    std::string prompt;
    for (size_t i = 0; i < request.images.size(); ++i) {
        prompt += "<__media__>";
    }
    return prompt + request.user_text;
}

// One call as a llama.cpp command line. llama-mtmd-cli runs a single turn
// only when it gets an image (without one it starts an interactive chat),
// so calls without images go to llama-completion in single-turn
// conversation mode, which applies the same chat template.
std::vector<std::string> llama_cli_arguments(const BenchOptions& options, const ModelFiles& model,
                                             const EngineRequest& request) {
    const bool has_images = !request.images.empty();
    const fs::path binary = options.llama_bin / (has_images ? "llama-mtmd-cli" : "llama-completion");
    std::vector<std::string> arguments = {binary.string(), "-m", model.model.string(), "-n",
                                          std::to_string(request.max_new_tokens), "--temp", "0", "-c",
                                          std::to_string(options.ctx_size), "-t", std::to_string(options.threads)};
    if (!request.system.empty()) {
        arguments.insert(arguments.end(), {"-sys", request.system});
    }
    if (has_images) {
        arguments.insert(arguments.end(), {"--mmproj", model.mmproj.string(), "-p", mtmd_prompt(request)});
        for (const auto& image : request.images) {
            arguments.insert(arguments.end(), {"--image", image.path.string()});
        }
    } else {
        arguments.insert(arguments.end(), {"-cnv", "-st", "-p", request.user_text});
    }
    return arguments;
}

// The prompt tokens a tool reported in its performance line
// ("prompt eval time = X ms / N tokens"), or nothing without that line.
std::optional<int64_t> parse_prompt_eval_tokens(const std::string& log) {
    static const std::regex line(R"(prompt eval time =\s+[0-9.]+ ms /\s+(\d+) tokens)");
    std::smatch match;
    if (!std::regex_search(log, match, line)) {
        return std::nullopt;
    }
    return std::stoll(match[1]);
}

nlohmann::json measure_llama_cli(const BenchOptions& options, const ModelFiles& model, const Workload& workload,
                                 const fs::path& run_dir) {
    const auto plan = plan_workload(workload);
    fs::remove_all(run_dir);
    fs::create_directories(run_dir);

    const auto start = Clock::now();
    double cpu_s = 0;
    int64_t max_rss_kb = 0;
    int failures = 0;
    int64_t prompt_tokens = 0;
    size_t reported_calls = 0;
    for (size_t i = 0; i < plan.size(); ++i) {
        const fs::path log = run_dir / fmt::format("call-{:04d}.log", i);
        const ProcessResult result = run_process(llama_cli_arguments(options, model, plan[i].request), log);
        cpu_s += result.cpu_s;
        max_rss_kb = std::max(max_rss_kb, result.max_rss_kb);
        failures += result.exit_code == 0 ? 0 : 1;
        if (const auto tokens = parse_prompt_eval_tokens(read_text(log))) {
            prompt_tokens += *tokens;
            reported_calls += 1;
        }
    }
    const double wall_s = std::chrono::duration<double>(Clock::now() - start).count();
    // NOTE: llama-mtmd-cli at llama.cpp 80fb11ac printed no "prompt eval
    // time" line in these runs, while llama-completion does. The sum
    // therefore usually covers only the calls without images, so the table
    // shows it only when every call reported one.
    return {{"wall_s", wall_s},
            {"cpu_s", cpu_s},
            {"peak_rss_mb", static_cast<double>(max_rss_kb) / 1024.0},
            {"calls", plan.size()},
            {"failed_calls", failures},
            {"prompt_tokens_reported", prompt_tokens},
            {"prompt_tokens_reported_calls", reported_calls}};
}

// llama-server on a free loopback port, ready once /health returns 200.
class Server {
public:
    Server(const BenchOptions& options, const ModelFiles& model, const fs::path& log) : log_(log) {
        std::vector<std::string> arguments = {(options.llama_bin / "llama-server").string(),
                                              "-m", model.model.string(), "--mmproj", model.mmproj.string(),
                                              "--host", "127.0.0.1", "--port", "0",
                                              "-np", std::to_string(options.parallel),
                                              "-c", std::to_string(options.ctx_size * options.parallel),
                                              "-t", std::to_string(options.threads),
                                              "--jinja", "--metrics", "--no-webui"};
        start_ = Clock::now();
        pid_ = spawn(arguments, log_);
        const std::regex listening(R"(listening on http://127\.0\.0\.1:(\d+))");
        const auto deadline = Clock::now() + std::chrono::seconds(300);
        HttpClient client;
        while (Clock::now() < deadline) {
            std::smatch match;
            const std::string output = read_text(log_);
            if (port_ == 0 && std::regex_search(output, match, listening)) {
                port_ = std::stoi(match[1]);
            }
            if (port_ != 0) {
                const auto health = client.get(url("/health"), "", 5, OpenAiEngineOptions{}.max_reply_bytes);
                if (health.received && health.status == 200) {
                    return;
                }
            }
            int status = 0;
            if (::waitpid(pid_, &status, WNOHANG) == pid_) {
                pid_ = -1;
                throw Error("llama-server exited during start-up; see " + log_.string());
            }
            std::this_thread::sleep_for(std::chrono::milliseconds(200));
        }
        stop();
        throw Error("llama-server did not become ready within 300 s; see " + log_.string());
    }
    Server(const Server&) = delete;
    Server& operator=(const Server&) = delete;
    ~Server() { (void)stop(); }

    [[nodiscard]] std::string url(const std::string& path) const {
        return "http://127.0.0.1:" + std::to_string(port_) + path;
    }

    // The server's prompt token counters from /metrics.
    [[nodiscard]] nlohmann::json metrics() const {
        HttpClient client;
        const auto response = client.get(url("/metrics"), "", 10, OpenAiEngineOptions{}.max_reply_bytes);
        nlohmann::json counters = nlohmann::json::object();
        if (!response.received || response.status != 200) {
            return counters;
        }
        static const std::regex counter(R"(llamacpp:(prompt_tokens_total|prompt_tokens_cached_total|tokens_predicted_total) ([0-9.e+]+))");
        for (auto it = std::sregex_iterator(response.body.begin(), response.body.end(), counter);
             it != std::sregex_iterator(); ++it) {
            counters[(*it)[1].str()] = std::stod((*it)[2]);
        }
        return counters;
    }

    ProcessResult stop() {
        if (pid_ <= 0) {
            return {};
        }
        ::kill(pid_, SIGTERM);
        const ProcessResult result = wait_for(pid_, start_);
        pid_ = -1;
        return result;
    }

private:
    fs::path log_;
    pid_t pid_ = -1;
    int port_ = 0;
    Clock::time_point start_;
};

// Sends the planned calls through medvlm's openai engine in this process,
// in batches of the engine's preferred size as `medvlm eval` does. The
// runner itself is not used: it rejects image modes without text-only
// calls on engines that count no image tokens, and the SLAKE workload has
// none.
nlohmann::json measure_server(const BenchOptions& options, const ModelFiles& model, const Workload& workload,
                              const fs::path& run_dir) {
    const auto plan = plan_workload(workload);
    fs::remove_all(run_dir);
    fs::create_directories(run_dir);
    const auto start = Clock::now();
    Server server(options, model, run_dir / "server.log");

    OpenAiEngineOptions engine_options;
    engine_options.endpoints = {server.url("/v1")};
    engine_options.model_name = model.shape;
    engine_options.concurrency = options.parallel;
    engine_options.request_timeout_s = 3600;
    engine_options.image_limits = workload.dataset.image_limits;
    const auto engine = make_openai_engine(engine_options);

    const auto client_start = Clock::now();
    int failures = 0;
    int64_t prompt_tokens = 0;
    const size_t batch_size = std::max<size_t>(1, engine->preferred_batch_size());
    for (size_t first = 0; first < plan.size(); first += batch_size) {
        std::vector<EngineRequest> requests;
        for (size_t i = first; i < std::min(plan.size(), first + batch_size); ++i) {
            requests.push_back(plan[i].request);
        }
        for (const auto& result : engine->run_batch(requests)) {
            failures += result.ok ? 0 : 1;
            prompt_tokens += result.prompt_tokens;
        }
    }
    const double client_wall_s = std::chrono::duration<double>(Clock::now() - client_start).count();

    const nlohmann::json counters = server.metrics();
    const ProcessResult server_process = server.stop();
    const double wall_s = std::chrono::duration<double>(Clock::now() - start).count();
    return {
        {"wall_s", wall_s},
        {"client_wall_s", client_wall_s},
        {"server_cpu_s", server_process.cpu_s},
        {"peak_rss_mb", static_cast<double>(server_process.max_rss_kb) / 1024.0},
        {"calls", plan.size()},
        {"failed_calls", failures},
        {"prompt_tokens", prompt_tokens},
        {"server_metrics", counters},
    };
}

ModelFiles prepare_model(const BenchOptions& options, const std::string& shape) {
    const fs::path dir = options.out_dir / "work" / ("model-" + shape + "-" + options.weight_type);
    ModelFiles files{shape, dir / "model.gguf", dir / "mmproj.gguf"};
    if (!fs::exists(files.model) || !fs::exists(files.mmproj)) {
        fs::create_directories(dir);
        run_checked({options.medvlm.string(), "make-tiny-model", "--out", dir.string(), "--seed", "7", "--shape",
                     shape, "--weight-type", options.weight_type},
                    dir / "make-tiny-model.log");
    }
    return files;
}

fs::path prepare_stand_ins(const BenchOptions& options) {
    const fs::path dir = options.out_dir / "work" / fmt::format("medxpertqa-stand-ins-{}", options.stand_in_size);
    if (!fs::exists(dir / "MEDVLM_STAND_IN_IMAGES.json")) {
        fs::remove_all(dir);
        fs::create_directories(dir.parent_path());
        run_checked({options.medvlm.string(), "make-stand-in-images", "--benchmark", "medxpertqa-mm", "--data",
                     (options.data_dir / "medxpertqa_mm/MM_test.sample.jsonl").string(), "--out", dir.string(),
                     "--size", std::to_string(options.stand_in_size)},
                    dir.string() + ".log");
    }
    return dir;
}

std::string first_line_of(const fs::path& path, const std::string& prefix) {
    std::ifstream in(path);
    std::string line;
    while (std::getline(in, line)) {
        if (line.rfind(prefix, 0) == 0) {
            const auto colon = line.find(':');
            return colon == std::string::npos ? line : line.substr(colon + 2);
        }
    }
    return "";
}

nlohmann::json machine_description(const BenchOptions& options) {
    double load[3] = {0, 0, 0};
    (void)::getloadavg(load, 3);
    return {{"cpu", first_line_of("/proc/cpuinfo", "model name")},
            {"hardware_threads", std::thread::hardware_concurrency()},
            {"memory", first_line_of("/proc/meminfo", "MemTotal")},
            {"load_average_at_start", {load[0], load[1], load[2]}},
            {"threads", options.threads},
            {"parallel", options.parallel}};
}

double file_mb(const fs::path& path) { return static_cast<double>(fs::file_size(path)) / (1024.0 * 1024.0); }

std::string number(const nlohmann::json& value, const char* format = "{:.1f}") {
    if (value.is_null()) {
        return "n/a";
    }
    if (value.is_number_integer()) {
        return std::to_string(value.get<int64_t>());
    }
    return fmt::format(fmt::runtime(format), value.get<double>());
}

const char* method_name(int method) {
    switch (method) {
        case 1:
            return "1. medvlm, caches + batching";
        case 2:
            return "2. medvlm, caches off";
        case 3:
            return "3. llama-mtmd-cli / llama-completion per call";
        default:
            return "4. llama-server + openai engine";
    }
}

// Prompt tokens a method evaluated: medvlm's own counters for 1 and 2, the
// server's /metrics counter for 4, the tools' performance lines for 3 (when they print them).
nlohmann::json evaluated_tokens(int method, const nlohmann::json& measured) {
    if ((method == 1 || method == 2) && measured.contains("work")) {
        return measured.at("work").at("prompt_tokens_evaluated");
    }
    if (method == 4 && measured.contains("server_metrics") && measured.at("server_metrics").contains("prompt_tokens_total")) {
        return static_cast<int64_t>(measured.at("server_metrics").at("prompt_tokens_total").get<double>());
    }
    if (method == 3 && measured.value("prompt_tokens_reported_calls", size_t{0}) == measured.at("calls").get<size_t>()) {
        return measured.at("prompt_tokens_reported");
    }
    return nullptr;
}

// Estimates the least time any caching could bring a run to: the minimum
// prompt tokens and image encodes at the per-token and per-encode costs
// that the uncached run (2) measured. Generation, loading and reporting
// count as free. Late prompt tokens attend to more cells and cost more than
// early ones, and the minimum is mostly late tokens, so the bound is
// generous. Null when (2) or its costs are missing.
nlohmann::json cache_lower_bound_s(const nlohmann::json& entry) {
    const auto& methods = entry.at("methods");
    if (!methods.contains("2") || !methods.at("2").contains("engine_costs") || !methods.at("2").contains("work") ||
        !entry.contains("prompt_tokens_minimum")) {
        return nullptr;
    }
    const auto& costs = methods.at("2").at("engine_costs");
    const auto& work = methods.at("2").at("work");
    const auto tokens = work.at("prompt_tokens_evaluated").get<double>();
    const auto encodes = work.at("image_encodes").get<double>();
    if (tokens <= 0) {
        return nullptr;
    }
    const double per_token_ms = costs.at("prompt_eval_ms").get<double>() / tokens;
    const double per_encode_ms = encodes > 0 ? costs.at("image_encode_ms").get<double>() / encodes : 0.0;
    return (entry.at("prompt_tokens_minimum").get<double>() * per_token_ms +
            entry.at("image_encodes_minimum").get<double>() * per_encode_ms) /
           1000.0;
}

std::string render_lower_bound(const nlohmann::json& entry) {
    const nlohmann::json bound = cache_lower_bound_s(entry);
    if (bound.is_null() || bound.get<double>() <= 0) {
        return "";
    }
    const auto& methods = entry.at("methods");
    const auto& naive = methods.at("2");
    const auto& costs = naive.at("engine_costs");
    const double lower = bound.get<double>();
    const double per_token_ms = costs.at("prompt_eval_ms").get<double>() /
                                naive.at("work").at("prompt_tokens_evaluated").get<double>();
    const auto encodes = naive.at("work").at("image_encodes").get<double>();
    std::string out = fmt::format(
        "Lower bound for any cache: {:.1f} s, the minimum work at the costs (2) measured ({:.2f} ms per prompt "
        "token{}), with generation, model loading and reports counted as free. No cache can make this workload "
        "more than {:.2f}x faster than (2)",
        lower, per_token_ms,
        encodes > 0 ? fmt::format(", {:.2f} s per image encode", costs.at("image_encode_ms").get<double>() / encodes / 1000.0)
                    : "",
        naive.at("wall_s").get<double>() / lower);
    if (methods.contains("3")) {
        out += fmt::format(" or {:.2f}x faster than (3)", methods.at("3").at("wall_s").get<double>() / lower);
    }
    out += ".";
    if (methods.contains("1")) {
        out += fmt::format(" (1) took {:.2f}x the lower bound.", methods.at("1").at("wall_s").get<double>() / lower);
    }
    return out + "\n\n";
}

std::string render_table(const nlohmann::json& results) {
    std::string out;
    for (const auto& entry : results.at("runs")) {
        const auto& methods = entry.at("methods");
        out += fmt::format("### {} on {} ({} calls)\n\n", entry.at("model").get<std::string>(),
                           entry.at("workload").get<std::string>(), entry.value("calls", 0));
        out += "| method | wall s | time / (1) | prompt tokens evaluated | tokens / minimum | image encodes | peak RSS MB | failed calls |\n";
        out += "|---|---:|---:|---:|---:|---:|---:|---:|\n";
        const double base = methods.contains("1") ? methods.at("1").at("wall_s").get<double>() : 0;
        const nlohmann::json minimum = entry.contains("prompt_tokens_minimum") ? entry.at("prompt_tokens_minimum") : nlohmann::json();
        for (const auto& [key, measured] : methods.items()) {
            const int method = std::stoi(key);
            const double wall = measured.at("wall_s").get<double>();
            const nlohmann::json tokens = evaluated_tokens(method, measured);
            std::string per_minimum = "n/a";
            if (!tokens.is_null() && !minimum.is_null() && minimum.get<int64_t>() > 0) {
                per_minimum = fmt::format("{:.2f}x", static_cast<double>(tokens.get<int64_t>()) /
                                                         static_cast<double>(minimum.get<int64_t>()));
            }
            std::string encodes = "n/a";
            if (measured.contains("work") && measured.at("work").contains("image_encodes")) {
                encodes = std::to_string(measured.at("work").at("image_encodes").get<int64_t>());
            }
            std::string failed = "n/a";
            if (measured.contains("completeness")) {
                failed = std::to_string(measured.at("completeness").at("failed").get<int64_t>() +
                                        measured.at("completeness").at("missing").get<int64_t>());
            } else if (measured.contains("failed_calls")) {
                failed = std::to_string(measured.at("failed_calls").get<int64_t>());
            }
            out += fmt::format("| {} | {:.1f} | {} | {} | {} | {} | {:.0f} | {} |\n", method_name(method), wall,
                               base > 0 ? fmt::format("{:.2f}x", wall / base) : "n/a", number(tokens), per_minimum,
                               encodes, measured.at("peak_rss_mb").get<double>(), failed);
        }
        out += "\nPrompt tokens: medvlm's counters for (1) and (2), the server's prompt_tokens_total for (4), and "
               "for (3) the tools' own performance lines, shown only when every call printed one (each call "
               "evaluates its whole prompt).\n";
        out += fmt::format("\nMinimum: {} prompt tokens, {} image encodes. Model files {:.1f} MB, KV cache {:.1f} MB "
                           "({} sequences of {} tokens); peak memory target 1.5 x {:.1f} MB = {:.1f} MB.\n\n",
                           number(minimum), number(entry.value("image_encodes_minimum", nlohmann::json())),
                           entry.at("model_files_mb").get<double>(), entry.at("kv_cache_mb").get<double>(),
                           results.at("machine").at("parallel").get<int>(), results.at("ctx_size").get<int>(),
                           entry.at("model_files_mb").get<double>() + entry.at("kv_cache_mb").get<double>(),
                           1.5 * (entry.at("model_files_mb").get<double>() + entry.at("kv_cache_mb").get<double>()));
        out += render_lower_bound(entry);
    }
    return out;
}

// Reads engine_costs from the runs still under OUT/work into results
// written before the bench recorded them. Returns whether any were added.
bool add_missing_engine_costs(nlohmann::json& results, const fs::path& out_dir) {
    bool added = false;
    for (auto& entry : results.at("runs")) {
        const fs::path runs = out_dir / "work" / "runs" /
                              (entry.at("model").get<std::string>() + "-" + entry.at("workload").get<std::string>());
        for (const auto& [key, folder] : {std::pair{"1", "cached"}, std::pair{"2", "naive"}}) {
            auto& methods = entry.at("methods");
            const fs::path predictions = runs / folder / "predictions.jsonl";
            if (methods.contains(key) && !methods.at(key).contains("engine_costs") && fs::exists(predictions)) {
                methods.at(key)["engine_costs"] = engine_costs(predictions);
                added = true;
            }
        }
    }
    return added;
}

// The KV cache medvlm allocates: per sequence, per layer, keys and values
// of n_embd_kv F16 values per token, for `parallel` sequences.
double kv_cache_mb(const std::string& shape, const BenchOptions& options) {
    // Layers and KV width of the shapes medvlm make-tiny-model writes.
    const double layers = shape == "tiny" ? 2 : 30;
    const double kv_width = shape == "tiny" ? 32 : 192;
    const double context = std::ceil(options.ctx_size / 256.0) * 256.0;
    return options.parallel * context * layers * 2 * kv_width * 2 / (1024.0 * 1024.0);
}

void run_bench(const BenchOptions& options) {
    fs::create_directories(options.out_dir);
    nlohmann::json results = {{"machine", machine_description(options)},
                              {"ctx_size", options.ctx_size},
                              {"weight_type", options.weight_type},
                              {"runs", nlohmann::json::array()}};
    const auto save = [&] {
        write_json_atomic(options.out_dir / "throughput.json", results);
        write_file_atomic(options.out_dir / "throughput.md", render_table(results));
    };
    const fs::path stand_ins = prepare_stand_ins(options);
    for (const auto& shape : options.shapes) {
        const ModelFiles model = prepare_model(options, shape);
        for (const auto& name : options.workloads) {
            const Workload workload = name == "slake" ? slake_workload(options) : medxpertqa_workload(options, stand_ins);
            const fs::path runs = options.out_dir / "work" / "runs" / (shape + "-" + name);
            fs::create_directories(runs);
            nlohmann::json entry = {{"model", shape},
                                    {"workload", name},
                                    {"model_files_mb", file_mb(model.model) + file_mb(model.mmproj)},
                                    {"kv_cache_mb", kv_cache_mb(shape, options)},
                                    {"methods", nlohmann::json::object()}};
            results["runs"].push_back(entry);
            auto& stored = results["runs"].back();
            for (const int method : options.methods) {
                std::cerr << fmt::format("[throughput] {} {} method {}\n", shape, name, method);
                nlohmann::json measured;
                if (method == 1) {
                    measured = measure_medvlm(options, model, workload, runs / "cached",
                                              {"--parallel", std::to_string(options.parallel)});
                } else if (method == 2) {
                    measured = measure_medvlm(options, model, workload, runs / "naive",
                                              {"--parallel", "1", "--image-cache-mb", "0", "--no-prefix-cache"});
                } else if (method == 3) {
                    measured = measure_llama_cli(options, model, workload, runs / "llama-cli");
                } else {
                    measured = measure_server(options, model, workload, runs / "server");
                }
                if (measured.contains("work") && measured.at("work").contains("prompt_tokens_minimum")) {
                    stored["prompt_tokens_minimum"] = measured.at("work").at("prompt_tokens_minimum");
                    stored["image_encodes_minimum"] = measured.at("work").at("image_encodes_minimum");
                    stored["calls"] = measured.at("work").at("calls");
                }
                stored["methods"][std::to_string(method)] = measured;
                save();
            }
        }
    }
    double load[3] = {0, 0, 0};
    (void)::getloadavg(load, 3);
    results["machine"]["load_average_at_end"] = {load[0], load[1], load[2]};
    save();
    std::cout << render_table(results);
}

}  // namespace
}  // namespace medvlm

int main(int argc, char** argv) {
    medvlm::BenchOptions options;
    CLI::App app{"Throughput of medvlm against the usual ways of running llama.cpp"};
    std::string data_dir;
    std::string out_dir;
    std::string medvlm_binary;
    std::string llama_bin;
    app.add_option("--data", data_dir, "Folder of the real benchmark files (slake/, medxpertqa_mm/)");
    app.add_option("--out", out_dir, "Folder for throughput.json, throughput.md and the runs")->required();
    app.add_option("--medvlm", medvlm_binary, "The medvlm binary");
    app.add_option("--llama-bin", llama_bin, "Folder with llama-server, llama-mtmd-cli and llama-completion");
    app.add_option("--shapes", options.shapes, "Model shapes: tiny, smolvlm-256m")->delimiter(',');
    app.add_option("--workloads", options.workloads, "slake, medxpertqa")->delimiter(',');
    app.add_option("--methods", options.methods, "Methods 1-4 to run")->delimiter(',');
    app.add_option("--weight-type", options.weight_type, "Weight type of the random models (f32, f16, q8_0)");
    app.add_option("--slake-rows", options.slake_rows, "SLAKE English test rows");
    app.add_option("--medxpertqa-rows", options.medxpertqa_rows, "MedXpertQA-MM rows");
    app.add_option("--parallel", options.parallel, "Sequences (1) and server slots and concurrency (4)");
    app.add_option("--threads", options.threads, "CPU threads for every method");
    app.add_option("--ctx-size", options.ctx_size, "Context size per sequence");
    app.add_option("--stand-in-size", options.stand_in_size, "Width and height of the MedXpertQA-MM stand-in images");
    bool render_only = false;
    app.add_flag("--render-only", render_only,
                 "Write OUT/throughput.md again from OUT/throughput.json (adding the engine's time split from "
                 "the runs under OUT/work when the JSON lacks it) and run nothing");
    CLI11_PARSE(app, argc, argv);
    if (render_only) {
        try {
            auto results = medvlm::read_json_file(std::filesystem::path(out_dir) / "throughput.json");
            if (medvlm::add_missing_engine_costs(results, out_dir)) {
                medvlm::write_json_atomic(std::filesystem::path(out_dir) / "throughput.json", results);
            }
            medvlm::write_file_atomic(std::filesystem::path(out_dir) / "throughput.md", medvlm::render_table(results));
        } catch (const std::exception& e) {
            std::cerr << "throughput bench failed: " << e.what() << "\n";
            return 1;
        }
        return 0;
    }
    if (data_dir.empty() || medvlm_binary.empty() || llama_bin.empty()) {
        std::cerr << "--data, --medvlm and --llama-bin are required unless --render-only is given\n";
        return 2;
    }
    options.data_dir = data_dir;
    options.out_dir = out_dir;
    options.medvlm = medvlm_binary;
    options.llama_bin = llama_bin;
    if (options.threads <= 0) {
        options.threads = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
    }
    try {
        medvlm::run_bench(options);
    } catch (const std::exception& e) {
        std::cerr << "throughput bench failed: " << e.what() << "\n";
        return 1;
    }
    return 0;
}
