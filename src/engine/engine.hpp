#pragma once
// The interface between medvlm and whatever runs the model. Only this
// folder includes llama.cpp headers; callers build EngineRequests and read
// EngineResults, so the in-process and HTTP engines are interchangeable.

#include <cstdint>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace medvlm {

enum class Scoring {
    Generate,       // greedy generation, then the answer extractor
    ChoiceLogprob,  // log-probability of each option letter after the prompt
};

[[nodiscard]] std::string scoring_name(Scoring scoring);
[[nodiscard]] Scoring parse_scoring(const std::string& name);

struct EngineImage {
    std::filesystem::path path;
    std::string sha256;  // identifies the image for caches and logs
};

struct EngineRequest {
    std::string system;
    // Sent before user_text in the user turn, in this order.
    std::vector<EngineImage> images;
    std::string user_text;
    // Text the assistant turn starts with (prefilled), possibly empty.
    std::string assistant_prefix;
    int max_new_tokens = 8;
    Scoring scoring = Scoring::Generate;
    // ChoiceLogprob only: the letters to score, for example A..E.
    std::vector<std::string> choice_letters;
};

struct EngineResult {
    // False when the call failed; `error` then says why and the call counts
    // as failed, never as a wrong answer.
    bool ok = true;
    std::string error;

    std::string text;
    int images_encoded = 0;        // distinct request images whose chunks were encoded
    int image_chunks = 0;          // image chunks encoded (an image may be tiled)
    int64_t image_tokens = 0;      // embedding positions the images occupied
    int64_t prompt_tokens = 0;     // all prompt positions, text and image
    int64_t generated_tokens = 0;
    bool truncated = false;        // generation stopped at max_new_tokens
    std::map<std::string, double> choice_logprobs;  // letter -> natural-log probability

    double image_encode_ms = 0;
    double prompt_eval_ms = 0;
    double generate_ms = 0;
    double total_ms = 0;
};

class Engine {
public:
    virtual ~Engine() = default;

    // Everything about the engine that defines a run, for the manifest
    // (kind, model file hashes, context size, chat template, ...).
    [[nodiscard]] virtual nlohmann::json describe() const = 0;

    // How this process reaches the model (endpoints, concurrency, timeouts):
    // recorded in the manifest but not part of its hash, so a run can be
    // resumed or sharded over other servers of the same model.
    [[nodiscard]] virtual nlohmann::json describe_execution() const { return nlohmann::json::object(); }

    [[nodiscard]] virtual bool supports_choice_logprob() const = 0;

    // False for engines that cannot count the positions images occupy (a
    // remote server reports only its total prompt tokens). Such engines
    // also write "reports_image_tokens": false into describe(), and the
    // summary then proves images arrived by comparing prompt tokens with
    // the text-only call of the same row.
    [[nodiscard]] virtual bool reports_image_tokens() const { return true; }

    // Runs one call. Expected failures (a server error, an image the model
    // rejects) come back as ok=false; EngineError is thrown only when the
    // engine itself is unusable.
    [[nodiscard]] virtual EngineResult run(const EngineRequest& request) = 0;

    // Runs independent calls and returns their results in request order.
    // Engines that can overlap calls (batched decoding, concurrent HTTP
    // requests) override it; the default runs them one after another.
    [[nodiscard]] virtual std::vector<EngineResult> run_batch(const std::vector<EngineRequest>& requests);

    // How many calls run_batch can usefully take at once.
    [[nodiscard]] virtual size_t preferred_batch_size() const { return 1; }
};

}  // namespace medvlm
