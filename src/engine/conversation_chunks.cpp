#include "engine/conversation_chunks.hpp"

#include "core/error.hpp"
#include "engine/chat_prompt.hpp"

namespace medvlm {
namespace {

std::vector<int32_t> tokenize_text(const llama_vocab* vocab, const std::string& text, bool parse_special) {
    std::vector<llama_token> tokens(text.size() + 8);
    const auto length = static_cast<int32_t>(text.size());
    int32_t count =
        llama_tokenize(vocab, text.data(), length, tokens.data(), static_cast<int32_t>(tokens.size()), false, parse_special);
    if (count < 0) {
        tokens.resize(static_cast<size_t>(-count));
        count = llama_tokenize(vocab, text.data(), length, tokens.data(), static_cast<int32_t>(tokens.size()), false,
                               parse_special);
    }
    if (count < 0) {
        throw EngineError("llama.cpp failed to tokenize the answer text");
    }
    return {tokens.begin(), tokens.begin() + count};
}

size_t parse_image_index(const char* id, size_t image_count) {
    const std::string text = id == nullptr ? "" : id;
    size_t index = 0;
    try {
        size_t used = 0;
        index = std::stoul(text, &used);
        if (used != text.size()) {
            throw std::invalid_argument(text);
        }
    } catch (const std::logic_error&) {
        throw EngineError("libmtmd returned an image chunk with an unexpected id '" + text + "'");
    }
    if (index >= image_count) {
        throw EngineError("libmtmd returned an image chunk for image " + text + " of " + std::to_string(image_count));
    }
    return index;
}

}  // namespace

MtmdChunksPtr tokenize_prompt_chunks(const mtmd_context* mtmd, const std::string& chat_template,
                                     const EngineRequest& request, const std::vector<mtmd_bitmap*>& bitmaps) {
    const auto segments = format_chat_prompt(chat_template, request);
    std::vector<mtmd_input_text> texts(segments.size());
    std::vector<mtmd_input_part> parts(segments.size());
    std::vector<const mtmd_input_part*> part_pointers;
    for (size_t i = 0; i < segments.size(); ++i) {
        const auto& segment = segments[i];
        if (segment.kind == PromptSegment::Kind::Image) {
            parts[i] = {nullptr, bitmaps.at(segment.image_index)};
        } else {
            // Template text may contain special tokens; user text never does.
            const bool parse_special = segment.kind == PromptSegment::Kind::TemplateText;
            texts[i] = {segment.text.c_str(), segment.text.size(), true, parse_special};
            parts[i] = {&texts[i], nullptr};
        }
        part_pointers.push_back(&parts[i]);
    }

    MtmdChunksPtr chunks(mtmd_input_chunks_init());
    const int32_t status = mtmd_tokenize_from_parts(mtmd, chunks.get(), part_pointers.data(), part_pointers.size(), true);
    if (status != 0) {
        throw EngineError("libmtmd failed to tokenize the prompt (status " + std::to_string(status) +
                          (status == 2 ? ": image preprocessing failed" : "") + ")");
    }
    return chunks;
}

TokenizedConversation describe_conversation(const mtmd_input_chunks* chunks, const llama_vocab* vocab,
                                            const std::string& chat_template, const EngineRequest& request,
                                            const std::string& answer) {
    TokenizedConversation conversation;
    std::vector<size_t> tiles_seen(request.images.size(), 0);
    const size_t count = mtmd_input_chunks_size(chunks);
    for (size_t i = 0; i < count; ++i) {
        const mtmd_input_chunk* chunk = mtmd_input_chunks_get(chunks, i);
        ConversationChunk described;
        const auto type = mtmd_input_chunk_get_type(chunk);
        if (type == MTMD_INPUT_CHUNK_TYPE_TEXT) {
            size_t n_tokens = 0;
            const llama_token* tokens = mtmd_input_chunk_get_tokens_text(chunk, &n_tokens);
            described.kind = ConversationChunk::Kind::Text;
            described.tokens.assign(tokens, tokens + n_tokens);
        } else if (type == MTMD_INPUT_CHUNK_TYPE_IMAGE) {
            described.kind = ConversationChunk::Kind::Image;
            described.image_index = parse_image_index(mtmd_input_chunk_get_id(chunk), request.images.size());
            described.tile_index = tiles_seen[described.image_index]++;
            described.positions = static_cast<int64_t>(mtmd_input_chunk_get_n_tokens(chunk));
            if (mtmd_input_chunk_get_n_pos(chunk) != described.positions) {
                throw EngineError("the projector uses a position layout other than one position per embedding; "
                                  "medvlm's trainer supports sequential positions only");
            }
        } else {
            throw EngineError("the prompt contains a media chunk that is neither text nor an image");
        }
        conversation.prompt.push_back(std::move(described));
    }

    const AssistantTurn turn = format_assistant_turn(chat_template, request);
    conversation.answer = tokenize_text(vocab, turn.before + answer, false);
    if (conversation.answer.empty()) {
        throw EngineError("the answer tokenized to no tokens");
    }
    const std::vector<int32_t> closing = tokenize_text(vocab, turn.after, true);
    bool stopped = false;
    for (const int32_t token : closing) {
        conversation.answer.push_back(token);
        if (llama_vocab_is_eog(vocab, token)) {
            stopped = true;
            break;
        }
    }
    if (!stopped) {
        throw EngineError("the chat template closes the assistant turn with '" + turn.after +
                          "', which holds no end-of-generation token, so a trained model would not learn to stop");
    }
    return conversation;
}

}  // namespace medvlm
