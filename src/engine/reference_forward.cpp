#include "engine/reference_forward.hpp"

#include <llama-cpp.h>
#include <llama.h>
#include <mtmd-helper.h>
#include <mtmd.h>

#include <algorithm>

#include "core/error.hpp"
#include "engine/conversation_chunks.hpp"
#include "engine/llama_backend.hpp"

namespace medvlm {
namespace {

struct BatchDeleter {
    void operator()(llama_batch* batch) const {
        llama_batch_free(*batch);
        delete batch;
    }
};
using BatchPtr = std::unique_ptr<llama_batch, BatchDeleter>;

BatchPtr make_batch(int32_t capacity) { return BatchPtr(new llama_batch(llama_batch_init(capacity, 0, 1))); }

// Decodes `tokens` at positions n_past..; `logits` selects the tokens whose
// logits llama.cpp keeps.
void decode_tokens(llama_context* context, const std::vector<int32_t>& tokens, const std::vector<bool>& logits,
                   llama_pos& n_past) {
    BatchPtr batch = make_batch(static_cast<int32_t>(tokens.size()));
    batch->n_tokens = static_cast<int32_t>(tokens.size());
    for (size_t i = 0; i < tokens.size(); ++i) {
        batch->token[i] = tokens[i];
        batch->pos[i] = n_past + static_cast<llama_pos>(i);
        batch->n_seq_id[i] = 1;
        batch->seq_id[i][0] = 0;
        batch->logits[i] = logits[i] ? 1 : 0;
    }
    if (llama_decode(context, *batch) != 0) {
        throw EngineError("llama.cpp failed to decode " + std::to_string(tokens.size()) + " tokens");
    }
    n_past += static_cast<llama_pos>(tokens.size());
}

}  // namespace

ReferenceForward run_reference_forward(const ReferenceForwardOptions& options, const EngineRequest& request,
                                       const std::string& answer) {
    init_llama_backend();

    auto model_params = llama_model_default_params();
    model_params.n_gpu_layers = 0;
    llama_model_ptr model(llama_model_load_from_file(options.model.string().c_str(), model_params));
    if (!model) {
        throw EngineError(options.model.string() + ": llama.cpp cannot load this model");
    }
    std::vector<llama_adapter_lora_ptr> adapters;
    for (const auto& path : options.lora_adapters) {
        adapters.emplace_back(llama_adapter_lora_init(model.get(), path.string().c_str()));
        if (!adapters.back()) {
            throw EngineError(path.string() + ": llama.cpp cannot load this LoRA adapter for " +
                              options.model.string());
        }
    }

    auto context_params = llama_context_default_params();
    context_params.n_ctx = 4096;
    context_params.n_batch = 4096;
    context_params.n_ubatch = 512;
    context_params.n_seq_max = 1;
    context_params.n_threads = options.threads;
    context_params.n_threads_batch = options.threads;
    context_params.flash_attn_type = LLAMA_FLASH_ATTN_TYPE_DISABLED;
    context_params.type_k = GGML_TYPE_F32;
    context_params.type_v = GGML_TYPE_F32;
    context_params.no_perf = true;
    llama_context_ptr context(llama_init_from_model(model.get(), context_params));
    if (!context) {
        throw EngineError(options.model.string() + ": llama.cpp cannot create a context");
    }
    if (!adapters.empty()) {
        std::vector<llama_adapter_lora*> raw;
        for (auto& adapter : adapters) {
            raw.push_back(adapter.get());
        }
        std::vector<float> scales(raw.size(), 1.0f);
        if (llama_set_adapters_lora(context.get(), raw.data(), raw.size(), scales.data()) != 0) {
            throw EngineError("llama.cpp failed to apply the LoRA adapters");
        }
    }

    auto mtmd_params = mtmd_context_params_default();
    mtmd_params.use_gpu = false;
    mtmd_params.print_timings = false;
    mtmd_params.warmup = false;
    mtmd_params.n_threads = options.threads;
    mtmd_params.flash_attn_type = LLAMA_FLASH_ATTN_TYPE_DISABLED;
    mtmd::context_ptr mtmd(mtmd_init_from_file(options.mmproj.string().c_str(), model.get(), mtmd_params));
    if (!mtmd) {
        throw EngineError(options.mmproj.string() + ": libmtmd cannot load this projector");
    }

    std::string chat_template = options.chat_template;
    if (chat_template.empty()) {
        const char* stored = llama_model_chat_template(model.get(), nullptr);
        if (stored == nullptr) {
            throw EngineError(options.model.string() + ": the model file has no chat template");
        }
        chat_template = stored;
    }

    std::vector<mtmd::bitmap> bitmaps;
    std::vector<mtmd_bitmap*> pointers;
    for (size_t i = 0; i < request.images.size(); ++i) {
        const DecodedImage decoded = load_image(request.images[i].path, options.image_limits);
        mtmd::bitmap bitmap(static_cast<uint32_t>(decoded.width), static_cast<uint32_t>(decoded.height),
                            decoded.rgb.data());
        bitmap.set_id(std::to_string(i).c_str());
        pointers.push_back(bitmap.ptr.get());
        bitmaps.push_back(std::move(bitmap));
    }
    const MtmdChunksPtr chunks = tokenize_prompt_chunks(mtmd.get(), chat_template, request, pointers);

    ReferenceForward result;
    const llama_vocab* vocab = llama_model_get_vocab(model.get());
    result.conversation = describe_conversation(chunks.get(), vocab, chat_template, request, answer);
    result.embedding_length = llama_model_n_embd(model.get());
    result.vocabulary_size = llama_vocab_n_tokens(vocab);
    const auto row = [&](int32_t index) {
        const float* logits = llama_get_logits_ith(context.get(), index);
        if (logits == nullptr) {
            throw EngineError("llama.cpp returned no logits for output " + std::to_string(index));
        }
        return std::vector<float>(logits, logits + result.vocabulary_size);
    };

    llama_pos n_past = 0;
    const size_t count = mtmd_input_chunks_size(chunks.get());
    for (size_t i = 0; i < count; ++i) {
        const mtmd_input_chunk* chunk = mtmd_input_chunks_get(chunks.get(), i);
        const bool last = i + 1 == count;
        if (mtmd_input_chunk_get_type(chunk) == MTMD_INPUT_CHUNK_TYPE_IMAGE) {
            if (last) {
                throw EngineError("the prompt ends with an image; the chat template must follow it with text");
            }
            if (mtmd_encode_chunk(mtmd.get(), chunk) != 0) {
                throw EngineError("libmtmd failed to encode an image");
            }
            const float* embeddings = mtmd_get_output_embd(mtmd.get());
            const size_t n_values = mtmd_input_chunk_get_n_tokens(chunk) * static_cast<size_t>(result.embedding_length);
            result.tile_embeddings.emplace_back(embeddings, embeddings + n_values);
            llama_pos new_n_past = n_past;
            if (mtmd_helper_decode_image_chunk(mtmd.get(), context.get(), chunk, result.tile_embeddings.back().data(),
                                               n_past, 0, 4096, &new_n_past, nullptr, nullptr) != 0) {
                throw EngineError("llama.cpp failed to decode the image embeddings");
            }
            n_past = new_n_past;
        } else {
            size_t n_tokens = 0;
            const llama_token* tokens = mtmd_input_chunk_get_tokens_text(chunk, &n_tokens);
            std::vector<bool> logits(n_tokens, false);
            logits.back() = last;
            decode_tokens(context.get(), std::vector<int32_t>(tokens, tokens + n_tokens), logits, n_past);
        }
    }
    result.answer_logits.push_back(row(-1));

    // Answer tokens except the last: each position's logits predict the next.
    const auto& answer_tokens = result.conversation.answer;
    if (answer_tokens.size() > 1) {
        const std::vector<int32_t> fed(answer_tokens.begin(), answer_tokens.end() - 1);
        decode_tokens(context.get(), fed, std::vector<bool>(fed.size(), true), n_past);
        for (size_t i = 0; i < fed.size(); ++i) {
            result.answer_logits.push_back(row(static_cast<int32_t>(i)));
        }
    }
    return result;
}

}  // namespace medvlm
