#pragma once
// Shared by the conversation tokenizer and the reference forward pass:
// libmtmd tokenization of a user turn and llama.cpp tokenization of the
// assistant's reply. Engine-internal (it includes libmtmd's header).

#include <memory>
#include <string>
#include <vector>

#include <llama.h>
#include <mtmd.h>

#include "engine/conversation_tokenizer.hpp"

namespace medvlm {

struct MtmdChunksDeleter {
    void operator()(mtmd_input_chunks* chunks) const { mtmd_input_chunks_free(chunks); }
};
using MtmdChunksPtr = std::unique_ptr<mtmd_input_chunks, MtmdChunksDeleter>;

// Tokenizes the user turn and generation prompt. Image i of the request is
// bitmaps[i]; its id must be the decimal index i, which is how chunks are
// mapped back to images.
[[nodiscard]] MtmdChunksPtr tokenize_prompt_chunks(const mtmd_context* mtmd, const std::string& chat_template,
                                                   const EngineRequest& request,
                                                   const std::vector<mtmd_bitmap*>& bitmaps);

// Describes the prompt chunks and tokenizes the assistant's reply.
[[nodiscard]] TokenizedConversation describe_conversation(const mtmd_input_chunks* chunks, const llama_vocab* vocab,
                                                          const std::string& chat_template,
                                                          const EngineRequest& request, const std::string& answer);

}  // namespace medvlm
