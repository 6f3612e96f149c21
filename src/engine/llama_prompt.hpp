#pragma once
// Tokenizes an EngineRequest for the in-process engine into prompt
// elements (text tokens and image chunks) with libmtmd, or with libllama
// alone for a model loaded without a projector.
//
// Images are first tokenized as placeholders: libmtmd counts an image's
// tokens from its width and height alone, so a prompt can be planned, and
// its images taken from the embedding cache, without decoding or
// preprocessing any pixels. Only an image that must go through the encoder
// is loaded, by tokenizing the prompt again with its pixels.

#include <cstdint>
#include <memory>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include <llama.h>
#include <mtmd.h>

#include "data/image.hpp"
#include "engine/engine.hpp"
#include "engine/prompt_pieces.hpp"

namespace medvlm {

struct LlamaPrompt {
    std::vector<PromptElement> elements;  // with their piece classes
    // Per element, for image chunks: the chunk, whether it holds pixels,
    // the cache key (image SHA-256 and the chunk's place among the image's
    // chunks) and the index of the request image it comes from.
    std::vector<const mtmd_input_chunk*> chunks;
    std::vector<bool> has_pixels;
    std::vector<std::string> image_keys;
    std::vector<size_t> image_index;
    mtmd::input_chunks_ptr owned_chunks;

    int64_t positions = 0;     // summed n_pos
    int64_t image_tokens = 0;  // KV cells of image chunks
    int image_chunks = 0;
    int images_in_prompt = 0;  // distinct request images with at least one chunk
};

class PromptTokenizer {
public:
    // `mtmd` may be null (a text-only model); the pointers must outlive the tokenizer.
    PromptTokenizer(const llama_vocab* vocab, mtmd_context* mtmd, std::string chat_template, ImageLimits limits)
        : vocab_(vocab), mtmd_(mtmd), chat_template_(std::move(chat_template)), limits_(limits) {}

    // Tokenizes with every image as a placeholder. Throws EngineError, or
    // ImageError for an image that cannot be read.
    [[nodiscard]] LlamaPrompt tokenize(const EngineRequest& request);

    // Tokenizes again with the pixels of the request images marked in
    // `with_pixels`, and checks that the elements equal `planned`'s.
    [[nodiscard]] LlamaPrompt tokenize_with_pixels(const EngineRequest& request, const std::vector<bool>& with_pixels,
                                                   const LlamaPrompt& planned);

    [[nodiscard]] const std::string& chat_template() const { return chat_template_; }

private:
    LlamaPrompt tokenize_multimodal(const EngineRequest& request, const std::vector<bool>& with_pixels);
    LlamaPrompt tokenize_text_only(const EngineRequest& request) const;
    std::pair<uint32_t, uint32_t> image_size(const EngineImage& image);
    int64_t image_chunk_id(const std::string& key);

    const llama_vocab* vocab_;
    mtmd_context* mtmd_;
    std::string chat_template_;
    ImageLimits limits_;
    std::unordered_map<std::string, std::pair<uint32_t, uint32_t>> image_sizes_;  // by SHA-256
    std::unordered_map<std::string, int64_t> image_chunk_ids_;
};

}  // namespace medvlm
