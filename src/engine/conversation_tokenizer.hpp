#pragma once
// Tokenizes a training conversation (a user turn with images and text, then
// the assistant's answer) exactly as the in-process engine tokenizes its
// prompts, so a trainer outside this folder can rebuild llama.cpp's and
// libmtmd's input sequence without including their headers.

#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "engine/engine.hpp"

namespace medvlm {

struct ImageSize {
    int width = 0;
    int height = 0;
};

// One piece of the prompt as libmtmd lays it out: text tokens, or the
// embedding positions of one image tile. libmtmd cuts an idefics3 image into
// a grid of slices followed by an overview, each its own chunk.
struct ConversationChunk {
    enum class Kind { Text, Image };
    Kind kind = Kind::Text;
    std::vector<int32_t> tokens;  // Text
    size_t image_index = 0;       // Image: index into EngineRequest::images
    size_t tile_index = 0;        // Image: position among that image's chunks, in prompt order
    int64_t positions = 0;        // Image: embedding positions the tile occupies
};

struct TokenizedConversation {
    // The user turn and the generation prompt, as `medvlm eval` feeds them.
    std::vector<ConversationChunk> prompt;
    // The assistant's reply: the answer text (with whatever template text
    // separates it from the generation prompt) and the end-of-turn tokens up
    // to and including the first end-of-generation token, so a model trained
    // on it also learns to stop.
    std::vector<int32_t> answer;
};

struct ConversationTokenizerOptions {
    std::filesystem::path model;
    std::filesystem::path mmproj;
    // A llama.cpp built-in template name or template string; empty: the
    // template stored in the model file.
    std::string chat_template;
};

class ConversationTokenizer {
public:
    // Loads the model's vocabulary and the projector's preprocessing
    // parameters. Throws EngineError when either cannot be loaded.
    explicit ConversationTokenizer(const ConversationTokenizerOptions& options);
    ~ConversationTokenizer();
    ConversationTokenizer(const ConversationTokenizer&) = delete;
    ConversationTokenizer& operator=(const ConversationTokenizer&) = delete;

    // `image_sizes` gives each request image's width and height; libmtmd
    // derives the tile grid from them without reading pixels. Throws
    // EngineError when tokenization fails.
    [[nodiscard]] TokenizedConversation tokenize(const EngineRequest& request, const std::vector<ImageSize>& image_sizes,
                                                 const std::string& answer) const;

    [[nodiscard]] int32_t vocabulary_size() const;
    [[nodiscard]] const std::string& chat_template() const;

private:
    struct State;
    std::unique_ptr<State> state_;
};

}  // namespace medvlm
