#pragma once
// Applies a chat template while keeping user text apart from template text.
//
// The template is applied to sentinel strings; the result is then cut at the
// sentinels. Template text is tokenized with special tokens enabled, user
// text without, and images become separate bitmap parts. Text in a question
// that looks like a media marker ("<__media__>", "<image>") therefore never
// creates or swallows an image slot.

#include <string>
#include <vector>

#include "engine/engine.hpp"

struct llama_model;

namespace medvlm {

struct PromptSegment {
    enum class Kind { TemplateText, UserText, Image };
    Kind kind = Kind::TemplateText;
    std::string text;        // TemplateText and UserText
    size_t image_index = 0;  // Image: index into EngineRequest::images
};

// `chat_template` is a llama.cpp built-in name or template string. Throws
// EngineError when llama.cpp does not support the template or the template
// drops or repeats part of the content.
[[nodiscard]] std::vector<PromptSegment> format_chat_prompt(const std::string& chat_template,
                                                            const EngineRequest& request);

// The assistant turn that follows the generation prompt, cut around the
// answer: `before` is template text between the generation prompt and the
// answer (" " for SmolVLM's "Assistant:"), `after` closes the turn
// ("<end_of_utterance>\n"). Throws EngineError when the template does not
// render the answer turn as a continuation of the generation prompt.
struct AssistantTurn {
    std::string before;
    std::string after;
};
[[nodiscard]] AssistantTurn format_assistant_turn(const std::string& chat_template, const EngineRequest& request);

// Concatenates the segments, writing each image as `image_marker`; used for
// logs and for engines that take one prompt string.
[[nodiscard]] std::string render_segments(const std::vector<PromptSegment>& segments, const std::string& image_marker);

}  // namespace medvlm
