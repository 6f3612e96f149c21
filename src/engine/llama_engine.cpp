#include "engine/llama_engine.hpp"

#include <mtmd-helper.h>

#include <algorithm>
#include <thread>

#include "core/error.hpp"
#include "core/sha256.hpp"
#include "engine/chat_prompt.hpp"
#include "engine/llama_backend.hpp"
#include "engine/llama_engine_impl.hpp"

namespace medvlm {
namespace {

// KV streams are allocated in multiples of 256 cells (llama.cpp pads each
// sequence's context to that size).
constexpr int kContextPadding = 256;

}  // namespace

LlamaEngine::LlamaEngine(const LlamaEngineOptions& options)
    : options_(options), embedding_cache_(options.image_cache_bytes) {
    if (options_.parallel < 1 || options_.parallel > kMaxParallelSequences) {
        throw EngineError("--parallel must be between 1 and " + std::to_string(kMaxParallelSequences) + ", not " +
                          std::to_string(options_.parallel));
    }
    init_llama_backend();
    load_model();
    load_adapters();
    create_context();
    load_projector();
    resolve_chat_template();
    index_vocabulary();
    tokenizer_ = std::make_unique<PromptTokenizer>(vocab_, mtmd_.get(), chat_template_, options_.image_limits);
    for (int seq = 0; seq < options_.parallel; ++seq) {
        slots_.push_back(Slot{seq, {}, 0, nullptr});
    }
    batch_ = llama_batch_init(options_.batch_size, 0, 1);
}

LlamaEngine::~LlamaEngine() { llama_batch_free(batch_); }

nlohmann::json LlamaEngine::describe() const {
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
        {"counts_work", true},
        // How prompts are cut into batches (engine/prompt_pieces.hpp); it
        // changes rounding, so runs evaluated otherwise are not merged.
        {"evaluation", {{"flash_attention", false}, {"piece_tokens", kPieceGranule}}},
    };
}

nlohmann::json LlamaEngine::describe_execution() const {
    return {
        {"parallel", options_.parallel},
        {"image_cache_bytes", options_.image_cache_bytes},
        {"prefix_cache", options_.prefix_cache},
        {"threads", threads_},
    };
}

size_t LlamaEngine::preferred_batch_size() const {
    // Enough calls for the slots to find calls that share prefixes and calls
    // that run in parallel; the runner commits results after each batch.
    return static_cast<size_t>(16 * options_.parallel);
}

bool LlamaEngine::is_test_model() const {
    char value[16] = {0};
    return llama_model_meta_val_str(model_.get(), "medvlm.test_model", value, sizeof(value)) > 0 &&
           std::string(value) == "true";
}

void LlamaEngine::load_model() {
    auto params = llama_model_default_params();
    params.n_gpu_layers = options_.use_gpu ? -1 : 0;
    model_.reset(llama_model_load_from_file(options_.model.string().c_str(), params));
    if (!model_) {
        throw EngineError(options_.model.string() +
                          ": llama.cpp cannot load this model (is it a GGUF language model file? "
                          "run with --verbose for llama.cpp's reason)");
    }
    if (llama_model_is_recurrent(model_.get()) || llama_model_is_hybrid(model_.get())) {
        // Prefix reuse and generation steps remove the end of a sequence from
        // its memory, which a recurrent state cannot undo.
        throw EngineError(options_.model.string() +
                          ": recurrent and hybrid models are not supported by the in-process engine; serve the "
                          "model with llama-server and use --engine openai");
    }
    vocab_ = llama_model_get_vocab(model_.get());
    model_sha256_ = sha256_file(options_.model);
}

void LlamaEngine::load_adapters() {
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

void LlamaEngine::create_context() {
    const int per_sequence = (options_.context_size + kContextPadding - 1) / kContextPadding * kContextPadding;
    auto params = llama_context_default_params();
    params.n_ctx = static_cast<uint32_t>(per_sequence * options_.parallel);
    params.n_batch = static_cast<uint32_t>(options_.batch_size);
    params.n_ubatch = std::min<uint32_t>(512, params.n_batch);
    params.n_seq_max = static_cast<uint32_t>(options_.parallel);
    // One KV stream per sequence, so a sequence's cells sit at the same
    // indices whatever the other sequences hold, and no flash attention,
    // whose CPU kernel splits the work by thread count and batch size
    // (engine/prompt_pieces.hpp).
    params.kv_unified = false;
    params.flash_attn_type = LLAMA_FLASH_ATTN_TYPE_DISABLED;
    // Sliding-window layers keep every cell, so a prefix can be reused
    // after a longer prompt moved the window past it.
    params.swa_full = true;
    const int threads = options_.threads > 0 ? options_.threads
                                             : static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
    params.n_threads = threads;
    params.n_threads_batch = threads;
    params.no_perf = true;
    context_.reset(llama_init_from_model(model_.get(), params));
    if (!context_) {
        throw EngineError(options_.model.string() + ": llama.cpp cannot create a context of " +
                          std::to_string(options_.context_size) + " tokens for each of " +
                          std::to_string(options_.parallel) + " sequences (try a smaller --ctx-size or --parallel)");
    }
    ubatch_size_ = static_cast<int>(params.n_ubatch);
    if (options_.parallel * kPieceGranule > ubatch_size_) {
        throw EngineError("--parallel " + std::to_string(options_.parallel) + " needs batches of at least " +
                          std::to_string(options_.parallel * kPieceGranule) + " tokens");
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

void LlamaEngine::load_projector() {
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

void LlamaEngine::resolve_chat_template() {
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
void LlamaEngine::index_vocabulary() {
    const int32_t count = llama_vocab_n_tokens(vocab_);
    for (int32_t token = 0; token < count; ++token) {
        pieces_[token_piece(token)].push_back(token);
    }
}

std::string LlamaEngine::token_piece(llama_token token) const {
    char buffer[256];
    const int32_t length = llama_token_to_piece(vocab_, token, buffer, sizeof(buffer), 0, false);
    if (length < 0) {
        return {};
    }
    return std::string(buffer, static_cast<size_t>(length));
}

std::unique_ptr<Engine> make_llama_engine(const LlamaEngineOptions& options) {
    return std::make_unique<LlamaEngine>(options);
}

}  // namespace medvlm
