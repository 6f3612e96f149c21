#include "engine/llama_prompt.hpp"

#include <set>

#include "core/error.hpp"
#include "core/files.hpp"
#include "engine/chat_prompt.hpp"

namespace medvlm {
namespace {

void add_text_tokens(const llama_token* tokens, size_t count, LlamaPrompt& prompt) {
    for (size_t i = 0; i < count; ++i) {
        prompt.elements.push_back({tokens[i], 1, 1, PieceClass::Grid});
        prompt.chunks.push_back(nullptr);
        prompt.has_pixels.push_back(false);
        prompt.image_keys.emplace_back();
        prompt.image_index.push_back(0);
        prompt.positions += 1;
    }
}

bool same_elements(const LlamaPrompt& a, const LlamaPrompt& b) {
    if (a.elements.size() != b.elements.size()) {
        return false;
    }
    for (size_t i = 0; i < a.elements.size(); ++i) {
        if (a.elements[i] != b.elements[i] || a.image_keys[i] != b.image_keys[i]) {
            return false;
        }
    }
    return true;
}

}  // namespace

LlamaPrompt PromptTokenizer::tokenize(const EngineRequest& request) {
    LlamaPrompt prompt;
    if (mtmd_ == nullptr) {
        if (!request.images.empty()) {
            throw EngineError("the request has images but no --mmproj was loaded");
        }
        prompt = tokenize_text_only(request);
    } else {
        prompt = tokenize_multimodal(request, std::vector<bool>(request.images.size(), false));
    }
    // The logits of the last text token are what every call reads.
    if (prompt.elements.empty() || prompt.elements.back().is_image()) {
        throw EngineError("the prompt ends with an image; the chat template must follow it with text");
    }
    return prompt;
}

LlamaPrompt PromptTokenizer::tokenize_with_pixels(const EngineRequest& request, const std::vector<bool>& with_pixels,
                                                  const LlamaPrompt& planned) {
    LlamaPrompt prompt = tokenize_multimodal(request, with_pixels);
    if (!same_elements(prompt, planned)) {
        throw EngineError("libmtmd tokenized the prompt differently with the images' pixels than with their sizes "
                          "alone; the image embedding cache cannot be used with this projector (pass "
                          "--image-cache-mb 0)");
    }
    return prompt;
}

// The size libmtmd needs for a placeholder, read from the file header when
// possible; load_image() applies the same limits and raises the same errors.
std::pair<uint32_t, uint32_t> PromptTokenizer::image_size(const EngineImage& image) {
    const auto known = image_sizes_.find(image.sha256);
    if (known != image_sizes_.end()) {
        return known->second;
    }
    int64_t width = 0;
    int64_t height = 0;
    std::error_code error;
    const auto file_bytes = std::filesystem::file_size(image.path, error);
    const bool header_usable = !error && static_cast<int64_t>(file_bytes) <= limits_.max_file_bytes &&
                               read_image_header_size(read_file(image.path), width, height) && width > 0 &&
                               height > 0 && width * height <= limits_.max_pixels;
    if (!header_usable) {
        const DecodedImage decoded = load_image(image.path, limits_);
        width = decoded.width;
        height = decoded.height;
    }
    const std::pair<uint32_t, uint32_t> size{static_cast<uint32_t>(width), static_cast<uint32_t>(height)};
    image_sizes_[image.sha256] = size;
    return size;
}

int64_t PromptTokenizer::image_chunk_id(const std::string& key) {
    const auto [it, inserted] = image_chunk_ids_.try_emplace(key, -1 - static_cast<int64_t>(image_chunk_ids_.size()));
    return it->second;
}

LlamaPrompt PromptTokenizer::tokenize_multimodal(const EngineRequest& request, const std::vector<bool>& with_pixels) {
    std::vector<mtmd::bitmap> bitmaps;
    std::unordered_map<std::string, size_t> index_of_id;
    for (size_t i = 0; i < request.images.size(); ++i) {
        const EngineImage& image = request.images[i];
        mtmd::bitmap bitmap;
        if (with_pixels[i]) {
            const DecodedImage decoded = load_image(image.path, limits_);
            image_sizes_[image.sha256] = {static_cast<uint32_t>(decoded.width), static_cast<uint32_t>(decoded.height)};
            bitmap.ptr.reset(mtmd_bitmap_init(static_cast<uint32_t>(decoded.width),
                                              static_cast<uint32_t>(decoded.height), decoded.rgb.data()));
        } else {
            const auto [width, height] = image_size(image);
            // No pixel data: libmtmd treats the bitmap as a placeholder that only counts tokens.
            bitmap.ptr.reset(mtmd_bitmap_init(width, height, nullptr));
        }
        if (!bitmap.ptr) {
            throw EngineError(image.path.string() + ": libmtmd rejected the decoded image");
        }
        // The position makes the id unique when a row sends one file twice.
        const std::string id = image.sha256 + "#" + std::to_string(i);
        bitmap.set_id(id.c_str());
        index_of_id[id] = i;
        bitmaps.push_back(std::move(bitmap));
    }

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

    LlamaPrompt prompt;
    prompt.owned_chunks.reset(mtmd_input_chunks_init());
    const int32_t status =
        mtmd_tokenize_from_parts(mtmd_, prompt.owned_chunks.get(), part_pointers.data(), part_pointers.size(), true);
    if (status != 0) {
        throw EngineError("libmtmd failed to tokenize the prompt (status " + std::to_string(status) +
                          (status == 2 ? ": image preprocessing failed" : "") + ")");
    }

    std::vector<int> chunks_of_image(request.images.size(), 0);
    std::set<size_t> images_seen;
    const size_t count = mtmd_input_chunks_size(prompt.owned_chunks.get());
    for (size_t c = 0; c < count; ++c) {
        const mtmd_input_chunk* chunk = mtmd_input_chunks_get(prompt.owned_chunks.get(), c);
        if (mtmd_input_chunk_get_type(chunk) == MTMD_INPUT_CHUNK_TYPE_TEXT) {
            size_t n_tokens = 0;
            const llama_token* tokens = mtmd_input_chunk_get_tokens_text(chunk, &n_tokens);
            add_text_tokens(tokens, n_tokens, prompt);
            continue;
        }
        const char* id = mtmd_input_chunk_get_id(chunk);
        const auto found = id == nullptr ? index_of_id.end() : index_of_id.find(id);
        if (found == index_of_id.end()) {
            throw EngineError("libmtmd returned an image chunk that matches none of the request's images");
        }
        const size_t image = found->second;
        const std::string key = request.images[image].sha256 + "/" + std::to_string(chunks_of_image[image]++);
        const auto n_tokens = static_cast<int32_t>(mtmd_input_chunk_get_n_tokens(chunk));
        const auto n_pos = static_cast<int32_t>(mtmd_input_chunk_get_n_pos(chunk));
        prompt.elements.push_back({image_chunk_id(key), n_tokens, n_pos, PieceClass::Image});
        prompt.chunks.push_back(chunk);
        prompt.has_pixels.push_back(with_pixels[image]);
        prompt.image_keys.push_back(key);
        prompt.image_index.push_back(image);
        prompt.positions += n_pos;
        prompt.image_tokens += n_tokens;
        prompt.image_chunks += 1;
        images_seen.insert(image);
    }
    prompt.images_in_prompt = static_cast<int>(images_seen.size());
    assign_piece_classes(prompt.elements);
    return prompt;
}

// A language model loaded without --mmproj: the same segments, tokenized
// by libllama alone.
LlamaPrompt PromptTokenizer::tokenize_text_only(const EngineRequest& request) const {
    LlamaPrompt prompt;
    bool first = true;
    for (const auto& segment : format_chat_prompt(chat_template_, request)) {
        const bool parse_special = segment.kind == PromptSegment::Kind::TemplateText;
        const auto size = static_cast<int32_t>(segment.text.size());
        std::vector<llama_token> piece(segment.text.size() + 2);
        int32_t count = llama_tokenize(vocab_, segment.text.data(), size, piece.data(),
                                       static_cast<int32_t>(piece.size()), first, parse_special);
        if (count < 0) {
            piece.resize(static_cast<size_t>(-count));
            count = llama_tokenize(vocab_, segment.text.data(), size, piece.data(), static_cast<int32_t>(piece.size()),
                                   first, parse_special);
        }
        if (count < 0) {
            throw EngineError("llama.cpp failed to tokenize the prompt");
        }
        add_text_tokens(piece.data(), static_cast<size_t>(count), prompt);
        first = false;
    }
    assign_piece_classes(prompt.elements);
    return prompt;
}

}  // namespace medvlm
