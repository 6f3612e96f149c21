#include "engine/conversation_tokenizer.hpp"

#include <llama-cpp.h>
#include <llama.h>
#include <mtmd-helper.h>
#include <mtmd.h>

#include "core/error.hpp"
#include "engine/chat_prompt.hpp"
#include "engine/conversation_chunks.hpp"
#include "engine/llama_backend.hpp"

namespace medvlm {

struct ConversationTokenizer::State {
    llama_model_ptr model;
    mtmd::context_ptr mtmd;
    std::string chat_template;
};

ConversationTokenizer::ConversationTokenizer(const ConversationTokenizerOptions& options)
    : state_(std::make_unique<State>()) {
    init_llama_backend();

    auto model_params = llama_model_default_params();
    model_params.vocab_only = true;
    model_params.n_gpu_layers = 0;
    state_->model.reset(llama_model_load_from_file(options.model.string().c_str(), model_params));
    if (!state_->model) {
        throw EngineError(options.model.string() + ": llama.cpp cannot load this model's vocabulary (is it a GGUF "
                          "language model file? run with --verbose for llama.cpp's reason)");
    }

    auto mtmd_params = mtmd_context_params_default();
    mtmd_params.use_gpu = false;
    mtmd_params.print_timings = false;
    mtmd_params.warmup = false;
    mtmd_params.n_threads = 1;
    state_->mtmd.reset(mtmd_init_from_file(options.mmproj.string().c_str(), state_->model.get(), mtmd_params));
    if (!state_->mtmd) {
        throw EngineError(options.mmproj.string() + ": libmtmd cannot load this projector for " +
                          options.model.string() + " (run with --verbose for details)");
    }

    if (!options.chat_template.empty()) {
        state_->chat_template = options.chat_template;
    } else {
        const char* stored = llama_model_chat_template(state_->model.get(), nullptr);
        if (stored == nullptr) {
            throw EngineError(options.model.string() +
                              ": the model file has no chat template; pass --chat-template NAME "
                              "(a llama.cpp built-in such as chatml or smolvlm)");
        }
        state_->chat_template = stored;
    }
}

ConversationTokenizer::~ConversationTokenizer() = default;

TokenizedConversation ConversationTokenizer::tokenize(const EngineRequest& request,
                                                      const std::vector<ImageSize>& image_sizes,
                                                      const std::string& answer) const {
    if (image_sizes.size() != request.images.size()) {
        throw EngineError("tokenize: " + std::to_string(request.images.size()) + " images but " +
                          std::to_string(image_sizes.size()) + " image sizes");
    }
    // Placeholder bitmaps (no pixels) are enough for libmtmd to lay out the
    // tile grid and count embedding positions.
    std::vector<mtmd::bitmap> bitmaps;
    std::vector<mtmd_bitmap*> pointers;
    for (size_t i = 0; i < image_sizes.size(); ++i) {
        const ImageSize& size = image_sizes[i];
        if (size.width <= 0 || size.height <= 0) {
            throw EngineError(request.images[i].path.string() + ": invalid image size " + std::to_string(size.width) +
                              "x" + std::to_string(size.height));
        }
        mtmd::bitmap bitmap(static_cast<uint32_t>(size.width), static_cast<uint32_t>(size.height), nullptr);
        bitmap.set_id(std::to_string(i).c_str());
        pointers.push_back(bitmap.ptr.get());
        bitmaps.push_back(std::move(bitmap));
    }
    const MtmdChunksPtr chunks = tokenize_prompt_chunks(state_->mtmd.get(), state_->chat_template, request, pointers);
    return describe_conversation(chunks.get(), llama_model_get_vocab(state_->model.get()), state_->chat_template,
                                 request, answer);
}

int32_t ConversationTokenizer::vocabulary_size() const {
    return llama_vocab_n_tokens(llama_model_get_vocab(state_->model.get()));
}

const std::string& ConversationTokenizer::chat_template() const { return state_->chat_template; }

}  // namespace medvlm
