#include "engine/llama_engine.hpp"

#include <llama-cpp.h>
#include <llama.h>
#include <mtmd-helper.h>
#include <mtmd.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <set>
#include <thread>
#include <unordered_map>

#include <spdlog/spdlog.h>

#include "core/error.hpp"
#include "core/sha256.hpp"
#include "core/text.hpp"
#include "engine/chat_prompt.hpp"
#include "engine/llama_backend.hpp"

namespace medvlm {
namespace {

using Clock = std::chrono::steady_clock;

double elapsed_ms(Clock::time_point start) {
    return std::chrono::duration<double, std::milli>(Clock::now() - start).count();
}

struct ChunksDeleter {
    void operator()(mtmd_input_chunks* chunks) const { mtmd_input_chunks_free(chunks); }
};
using ChunksPtr = std::unique_ptr<mtmd_input_chunks, ChunksDeleter>;

class LlamaEngine final : public Engine {
public:
    explicit LlamaEngine(const LlamaEngineOptions& options) : options_(options) {
        init_llama_backend();
        load_model();
        load_adapters();
        create_context();
        load_projector();
        resolve_chat_template();
        index_vocabulary();
    }

    [[nodiscard]] nlohmann::json describe() const override {
        nlohmann::json adapters = nlohmann::json::array();
        for (size_t i = 0; i < options_.lora_adapters.size(); ++i) {
            adapters.push_back({{"path", options_.lora_adapters[i].string()}, {"sha256", adapter_sha256_[i]}});
        }
        char description[256] = {0};
        llama_model_desc(model_.get(), description, sizeof(description));
        return {
            {"kind", "llama.cpp"},
            {"model", options_.model.string()},
            {"model_sha256", model_sha256_},
            {"model_description", description},
            {"mmproj", options_.mmproj.string()},
            {"mmproj_sha256", mmproj_sha256_},
            {"lora_adapters", adapters},
            {"context_size", options_.context_size},
            {"chat_template_sha256", sha256_hex(chat_template_)},
            {"chat_template_source", options_.chat_template.empty() ? "model file" : "--chat-template"},
            {"llama_cpp_commit", MEDVLM_LLAMA_COMMIT},
            {"test_model", is_test_model()},
        };
    }

    [[nodiscard]] bool supports_choice_logprob() const override { return true; }

    // True for the random-weight models `medvlm make-tiny-model` writes.
    [[nodiscard]] bool is_test_model() const {
        char value[16] = {0};
        return llama_model_meta_val_str(model_.get(), "medvlm.test_model", value, sizeof(value)) > 0 &&
               std::string(value) == "true";
    }

    [[nodiscard]] EngineResult run(const EngineRequest& request) override {
        const auto start = Clock::now();
        EngineResult result;
        try {
            run_call(request, result);
        } catch (const EngineError& e) {
            result.ok = false;
            result.error = e.what();
        } catch (const ImageError& e) {
            result.ok = false;
            result.error = e.what();
        }
        result.total_ms = elapsed_ms(start);
        return result;
    }

private:
    void load_model() {
        auto params = llama_model_default_params();
        params.n_gpu_layers = options_.use_gpu ? -1 : 0;
        model_.reset(llama_model_load_from_file(options_.model.string().c_str(), params));
        if (!model_) {
            throw EngineError(options_.model.string() +
                              ": llama.cpp cannot load this model (is it a GGUF language model file? "
                              "run with --verbose for llama.cpp's reason)");
        }
        vocab_ = llama_model_get_vocab(model_.get());
        model_sha256_ = sha256_file(options_.model);
    }

    void load_adapters() {
        for (const auto& path : options_.lora_adapters) {
            llama_adapter_lora_ptr adapter(llama_adapter_lora_init(model_.get(), path.string().c_str()));
            if (!adapter) {
                throw EngineError(path.string() + ": llama.cpp cannot load this LoRA adapter for " +
                                  options_.model.string() + " (does it match the model's tensor shapes?)");
            }
            adapter_sha256_.push_back(sha256_file(path));
            adapters_.push_back(std::move(adapter));
        }
    }

    void create_context() {
        auto params = llama_context_default_params();
        params.n_ctx = static_cast<uint32_t>(options_.context_size);
        params.n_batch = static_cast<uint32_t>(options_.batch_size);
        params.n_ubatch = std::min<uint32_t>(512, params.n_batch);
        params.n_seq_max = 1;
        const int threads = options_.threads > 0 ? options_.threads
                                                 : static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
        params.n_threads = threads;
        params.n_threads_batch = threads;
        params.no_perf = true;
        context_.reset(llama_init_from_model(model_.get(), params));
        if (!context_) {
            throw EngineError(options_.model.string() + ": llama.cpp cannot create a context of " +
                              std::to_string(options_.context_size) + " tokens (try a smaller --ctx-size)");
        }
        if (!adapters_.empty()) {
            std::vector<llama_adapter_lora*> raw;
            std::vector<float> scales(adapters_.size(), 1.0f);
            for (auto& adapter : adapters_) {
                raw.push_back(adapter.get());
            }
            if (llama_set_adapters_lora(context_.get(), raw.data(), raw.size(), scales.data()) != 0) {
                throw EngineError("llama.cpp failed to apply the LoRA adapters to the context");
            }
        }
        threads_ = threads;
    }

    void load_projector() {
        if (options_.mmproj.empty()) {
            return;
        }
        auto params = mtmd_context_params_default();
        params.use_gpu = options_.use_gpu;
        params.n_threads = threads_;
        params.print_timings = false;
        params.warmup = false;
        mtmd_.reset(mtmd_init_from_file(options_.mmproj.string().c_str(), model_.get(), params));
        if (!mtmd_) {
            throw EngineError(options_.mmproj.string() + ": libmtmd cannot load this projector for " +
                              options_.model.string() +
                              " (is it the mmproj GGUF that belongs to this model? run with --verbose for details)");
        }
        if (!mtmd_support_vision(mtmd_.get())) {
            throw EngineError(options_.mmproj.string() + ": the projector has no vision encoder");
        }
        mmproj_sha256_ = sha256_file(options_.mmproj);
    }

    void resolve_chat_template() {
        if (!options_.chat_template.empty()) {
            chat_template_ = options_.chat_template;
        } else {
            const char* stored = llama_model_chat_template(model_.get(), nullptr);
            if (stored == nullptr) {
                throw EngineError(options_.model.string() +
                                  ": the model file has no chat template; pass --chat-template NAME "
                                  "(a llama.cpp built-in such as chatml, gemma or smolvlm)");
            }
            chat_template_ = stored;
        }
        // Fails early, with the fix, when llama.cpp cannot apply the template.
        EngineRequest probe;
        probe.user_text = "probe";
        (void)format_chat_prompt(chat_template_, probe);
    }

    // Maps each token's text to its ids, for scoring option letters with and
    // without a leading space.
    void index_vocabulary() {
        const int32_t count = llama_vocab_n_tokens(vocab_);
        for (int32_t token = 0; token < count; ++token) {
            pieces_[token_piece(token, false)].push_back(token);
        }
    }

    std::string token_piece(llama_token token, bool special) const {
        char buffer[256];
        const int32_t length = llama_token_to_piece(vocab_, token, buffer, sizeof(buffer), 0, special);
        if (length < 0) {
            return {};
        }
        return std::string(buffer, static_cast<size_t>(length));
    }

    std::vector<mtmd::bitmap> load_bitmaps(const EngineRequest& request) const {
        std::vector<mtmd::bitmap> bitmaps;
        for (const auto& image : request.images) {
            const DecodedImage decoded = load_image(image.path, options_.image_limits);
            mtmd::bitmap bitmap(static_cast<uint32_t>(decoded.width), static_cast<uint32_t>(decoded.height),
                                decoded.rgb.data());
            if (!bitmap.ptr) {
                throw EngineError(image.path.string() + ": libmtmd rejected the decoded image");
            }
            // The position makes the id unique when a row sends one file twice.
            const std::string id = image.sha256 + "#" + std::to_string(bitmaps.size());
            bitmap.set_id(id.c_str());
            bitmaps.push_back(std::move(bitmap));
        }
        return bitmaps;
    }

    ChunksPtr tokenize(const EngineRequest& request, const std::vector<mtmd::bitmap>& bitmaps) const {
        const auto segments = format_chat_prompt(chat_template_, request);
        std::vector<mtmd_input_text> texts(segments.size());
        std::vector<mtmd_input_part> parts(segments.size());
        std::vector<const mtmd_input_part*> part_pointers;
        for (size_t i = 0; i < segments.size(); ++i) {
            const auto& segment = segments[i];
            if (segment.kind == PromptSegment::Kind::Image) {
                parts[i] = {nullptr, bitmaps[segment.image_index].ptr.get()};
            } else {
                const bool parse_special = segment.kind == PromptSegment::Kind::TemplateText;
                texts[i] = {segment.text.c_str(), segment.text.size(), true, parse_special};
                parts[i] = {&texts[i], nullptr};
            }
            part_pointers.push_back(&parts[i]);
        }

        ChunksPtr chunks(mtmd_input_chunks_init());
        const int32_t status =
            mtmd_tokenize_from_parts(mtmd_.get(), chunks.get(), part_pointers.data(), part_pointers.size(), true);
        if (status != 0) {
            throw EngineError("libmtmd failed to tokenize the prompt (status " + std::to_string(status) +
                              (status == 2 ? ": image preprocessing failed" : "") + ")");
        }
        return chunks;
    }

    void evaluate_prompt(const mtmd_input_chunks* chunks, EngineResult& result) {
        llama_memory_clear(llama_get_memory(context_.get()), true);
        llama_pos n_past = 0;
        std::set<std::string> encoded_ids;
        const size_t count = mtmd_input_chunks_size(chunks);
        for (size_t i = 0; i < count; ++i) {
            const mtmd_input_chunk* chunk = mtmd_input_chunks_get(chunks, i);
            const bool last = i + 1 == count;
            llama_pos new_n_past = n_past;
            if (mtmd_input_chunk_get_type(chunk) == MTMD_INPUT_CHUNK_TYPE_IMAGE) {
                const auto encode_start = Clock::now();
                if (mtmd_encode_chunk(mtmd_.get(), chunk) != 0) {
                    throw EngineError("libmtmd failed to encode an image");
                }
                float* embeddings = mtmd_get_output_embd(mtmd_.get());
                result.image_encode_ms += elapsed_ms(encode_start);

                const auto decode_start = Clock::now();
                if (mtmd_helper_decode_image_chunk(mtmd_.get(), context_.get(), chunk, embeddings, n_past, 0,
                                                   options_.batch_size, &new_n_past, nullptr, nullptr) != 0) {
                    throw EngineError("llama.cpp failed to decode the image embeddings");
                }
                result.prompt_eval_ms += elapsed_ms(decode_start);
                result.image_chunks += 1;
                if (const char* id = mtmd_input_chunk_get_id(chunk)) {
                    encoded_ids.insert(id);
                }
                result.image_tokens += static_cast<int64_t>(mtmd_input_chunk_get_n_tokens(chunk));
                if (last) {
                    throw EngineError("the prompt ends with an image; the chat template must follow it with text");
                }
            } else {
                const auto decode_start = Clock::now();
                if (mtmd_helper_eval_chunk_single(mtmd_.get(), context_.get(), chunk, n_past, 0, options_.batch_size,
                                                  last, &new_n_past) != 0) {
                    throw EngineError("llama.cpp failed to decode the prompt text");
                }
                result.prompt_eval_ms += elapsed_ms(decode_start);
            }
            n_past = new_n_past;
        }
        result.prompt_tokens = n_past;
        result.images_encoded = static_cast<int>(encoded_ids.size());
    }

    llama_token argmax_token(const float* logits) const {
        const int32_t count = llama_vocab_n_tokens(vocab_);
        llama_token best = 0;
        for (llama_token token = 1; token < count; ++token) {
            if (logits[token] > logits[best]) {
                best = token;
            }
        }
        return best;
    }

    void generate(const EngineRequest& request, EngineResult& result) {
        const auto start = Clock::now();
        std::string bytes;
        bool stopped = false;
        for (int step = 0; step < request.max_new_tokens; ++step) {
            llama_token token = argmax_token(llama_get_logits_ith(context_.get(), -1));
            if (llama_vocab_is_eog(vocab_, token)) {
                stopped = true;
                break;
            }
            bytes += token_piece(token, false);
            result.generated_tokens += 1;
            if (step + 1 == request.max_new_tokens) {
                break;
            }
            llama_batch batch = llama_batch_get_one(&token, 1);
            if (llama_decode(context_.get(), batch) != 0) {
                throw EngineError("llama.cpp failed to decode a generated token");
            }
        }
        result.truncated = !stopped && result.generated_tokens >= request.max_new_tokens;
        result.text = sanitize_utf8(bytes);
        result.generate_ms = elapsed_ms(start);
    }

    // Log-probability of each letter, summing the probability of the bare
    // letter token and the space-prefixed one, since tokenizers differ in
    // which of the two follows "Final answer:".
    void score_choices(const EngineRequest& request, EngineResult& result) {
        const float* logits = llama_get_logits_ith(context_.get(), -1);
        const int32_t count = llama_vocab_n_tokens(vocab_);
        const float max_logit = *std::max_element(logits, logits + count);
        double sum = 0;
        for (int32_t token = 0; token < count; ++token) {
            sum += std::exp(static_cast<double>(logits[token] - max_logit));
        }
        const double log_normalizer = max_logit + std::log(sum);

        for (const auto& letter : request.choice_letters) {
            std::vector<llama_token> tokens;
            for (const std::string& piece : {letter, " " + letter}) {
                const auto it = pieces_.find(piece);
                if (it != pieces_.end()) {
                    tokens.insert(tokens.end(), it->second.begin(), it->second.end());
                }
            }
            if (tokens.empty()) {
                throw EngineError("the vocabulary has no single token for option letter '" + letter +
                                  "' (with or without a leading space); use --scoring generate");
            }
            double probability = 0;
            for (const llama_token token : tokens) {
                probability += std::exp(static_cast<double>(logits[token]) - log_normalizer);
            }
            result.choice_logprobs[letter] = std::log(probability);
        }
        const auto best = std::max_element(result.choice_logprobs.begin(), result.choice_logprobs.end(),
                                           [](const auto& a, const auto& b) { return a.second < b.second; });
        result.text = best->first;
    }

    void check_context(size_t positions, const EngineRequest& request) const {
        const size_t needed = positions + static_cast<size_t>(std::max(0, request.max_new_tokens));
        if (needed > static_cast<size_t>(options_.context_size)) {
            throw EngineError("the prompt needs " + std::to_string(positions) + " positions plus " +
                              std::to_string(request.max_new_tokens) + " new tokens, more than the context of " +
                              std::to_string(options_.context_size) + "; pass a larger --ctx-size");
        }
    }

    // A language model loaded without --mmproj: the same segments, tokenized
    // by libllama alone.
    std::vector<llama_token> tokenize_text_only(const EngineRequest& request) const {
        std::vector<llama_token> tokens;
        bool first = true;
        for (const auto& segment : format_chat_prompt(chat_template_, request)) {
            const bool parse_special = segment.kind == PromptSegment::Kind::TemplateText;
            const auto size = static_cast<int32_t>(segment.text.size());
            std::vector<llama_token> piece(segment.text.size() + 2);
            int32_t count = llama_tokenize(vocab_, segment.text.data(), size, piece.data(),
                                           static_cast<int32_t>(piece.size()), first, parse_special);
            if (count < 0) {
                piece.resize(static_cast<size_t>(-count));
                count = llama_tokenize(vocab_, segment.text.data(), size, piece.data(),
                                       static_cast<int32_t>(piece.size()), first, parse_special);
            }
            if (count < 0) {
                throw EngineError("llama.cpp failed to tokenize the prompt");
            }
            tokens.insert(tokens.end(), piece.begin(), piece.begin() + count);
            first = false;
        }
        return tokens;
    }

    void evaluate_text_only(std::vector<llama_token> tokens, EngineResult& result) {
        llama_memory_clear(llama_get_memory(context_.get()), true);
        const auto start = Clock::now();
        for (size_t offset = 0; offset < tokens.size(); offset += static_cast<size_t>(options_.batch_size)) {
            const size_t count = std::min(tokens.size() - offset, static_cast<size_t>(options_.batch_size));
            llama_batch batch = llama_batch_get_one(tokens.data() + offset, static_cast<int32_t>(count));
            if (llama_decode(context_.get(), batch) != 0) {
                throw EngineError("llama.cpp failed to decode the prompt text");
            }
        }
        result.prompt_eval_ms += elapsed_ms(start);
        result.prompt_tokens = static_cast<int64_t>(tokens.size());
    }

    void run_call(const EngineRequest& request, EngineResult& result) {
        if (!request.images.empty() && !mtmd_) {
            throw EngineError("the request has images but no --mmproj was loaded");
        }
        if (mtmd_) {
            const auto bitmaps = load_bitmaps(request);
            const ChunksPtr chunks = tokenize(request, bitmaps);
            check_context(mtmd_helper_get_n_pos(chunks.get()), request);
            evaluate_prompt(chunks.get(), result);
        } else {
            const auto tokens = tokenize_text_only(request);
            check_context(tokens.size(), request);
            evaluate_text_only(tokens, result);
        }
        if (request.scoring == Scoring::ChoiceLogprob) {
            score_choices(request, result);
        } else {
            generate(request, result);
        }
    }

    LlamaEngineOptions options_;
    llama_model_ptr model_;
    llama_context_ptr context_;
    mtmd::context_ptr mtmd_;
    std::vector<llama_adapter_lora_ptr> adapters_;
    std::vector<std::string> adapter_sha256_;
    const llama_vocab* vocab_ = nullptr;
    std::string chat_template_;
    std::string model_sha256_;
    std::string mmproj_sha256_;
    std::unordered_map<std::string, std::vector<llama_token>> pieces_;
    int threads_ = 1;
};

}  // namespace

std::unique_ptr<Engine> make_llama_engine(const LlamaEngineOptions& options) {
    return std::make_unique<LlamaEngine>(options);
}

}  // namespace medvlm
