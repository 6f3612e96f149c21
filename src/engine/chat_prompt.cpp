#include "engine/chat_prompt.hpp"

#include <llama.h>

#include "core/error.hpp"

namespace medvlm {
namespace {

// Control characters never appear in benchmark text; a request that contains
// the sentinel prefix is rejected rather than misread.
const std::string kSentinelPrefix = "\x1f" "MEDVLM-";

std::string sentinel(const std::string& name) { return kSentinelPrefix + name + "\x1f"; }

std::string apply_template(const std::string& chat_template, const std::vector<llama_chat_message>& messages,
                           bool add_generation_prompt = true) {
    std::vector<char> buffer(4096);
    int32_t length = llama_chat_apply_template(chat_template.c_str(), messages.data(), messages.size(),
                                               add_generation_prompt, buffer.data(), static_cast<int32_t>(buffer.size()));
    if (length > static_cast<int32_t>(buffer.size())) {
        buffer.resize(static_cast<size_t>(length));
        length = llama_chat_apply_template(chat_template.c_str(), messages.data(), messages.size(),
                                           add_generation_prompt, buffer.data(), static_cast<int32_t>(buffer.size()));
    }
    if (length < 0) {
        throw EngineError("llama.cpp does not support this chat template; pass --chat-template with a built-in "
                          "name such as chatml, gemma, smolvlm, llama3 or mistral-v7");
    }
    return std::string(buffer.data(), static_cast<size_t>(length));
}

}  // namespace

std::vector<PromptSegment> format_chat_prompt(const std::string& chat_template, const EngineRequest& request) {
    for (const std::string* text : {&request.system, &request.user_text, &request.assistant_prefix}) {
        if (text->find(kSentinelPrefix) != std::string::npos) {
            throw EngineError("prompt text contains the reserved sequence \\x1fMEDVLM-; remove it from the input");
        }
    }

    std::string user_content;
    for (size_t i = 0; i < request.images.size(); ++i) {
        user_content += sentinel("IMAGE-" + std::to_string(i));
    }
    user_content += sentinel("USER");
    const std::string system_content = sentinel("SYSTEM");

    std::vector<llama_chat_message> messages;
    if (!request.system.empty()) {
        messages.push_back({"system", system_content.c_str()});
    }
    messages.push_back({"user", user_content.c_str()});
    const std::string formatted = apply_template(chat_template, messages);

    std::vector<PromptSegment> segments;
    size_t pos = 0;
    size_t next_image = 0;
    bool saw_user = false;
    bool saw_system = false;
    while (pos < formatted.size()) {
        const size_t found = formatted.find(kSentinelPrefix, pos);
        const size_t literal_end = found == std::string::npos ? formatted.size() : found;
        if (literal_end > pos) {
            segments.push_back({PromptSegment::Kind::TemplateText, formatted.substr(pos, literal_end - pos), 0});
        }
        if (found == std::string::npos) {
            break;
        }
        const size_t close = formatted.find('\x1f', found + 1);
        if (close == std::string::npos) {
            throw EngineError("the chat template altered the prompt content; pass --chat-template with a built-in name");
        }
        const std::string name = formatted.substr(found + kSentinelPrefix.size(), close - found - kSentinelPrefix.size());
        if (name == "USER" && !saw_user) {
            saw_user = true;
            segments.push_back({PromptSegment::Kind::UserText, request.user_text, 0});
        } else if (name == "SYSTEM" && !saw_system) {
            saw_system = true;
            segments.push_back({PromptSegment::Kind::UserText, request.system, 0});
        } else if (name == "IMAGE-" + std::to_string(next_image)) {
            segments.push_back({PromptSegment::Kind::Image, "", next_image});
            ++next_image;
        } else {
            throw EngineError("the chat template repeated or reordered part of the prompt (" + name +
                              "); pass --chat-template with a built-in name");
        }
        pos = close + 1;
    }
    if (!saw_user || next_image != request.images.size() || (!request.system.empty() && !saw_system)) {
        throw EngineError("the chat template dropped part of the prompt; pass --chat-template with a built-in name");
    }

    if (!request.assistant_prefix.empty()) {
        // Templates such as SmolVLM's end the generation prompt with
        // "Assistant:"; a space keeps the prefilled text a separate word.
        const bool needs_space = !formatted.empty() && formatted.back() == ':';
        segments.push_back({PromptSegment::Kind::UserText, (needs_space ? " " : "") + request.assistant_prefix, 0});
    }
    return segments;
}

AssistantTurn format_assistant_turn(const std::string& chat_template, const EngineRequest& request) {
    // The user content is a placeholder because only the text around the
    // answer is read, and templates render that text the same for any question.
    const std::string answer = sentinel("ANSWER");
    const std::string system = sentinel("SYSTEM");
    const std::string user = sentinel("USER");
    std::vector<llama_chat_message> messages;
    if (!request.system.empty()) {
        messages.push_back({"system", system.c_str()});
    }
    messages.push_back({"user", user.c_str()});
    const std::string prompt = apply_template(chat_template, messages, true);
    messages.push_back({"assistant", answer.c_str()});
    const std::string conversation = apply_template(chat_template, messages, false);

    if (conversation.compare(0, prompt.size(), prompt) != 0) {
        throw EngineError("the chat template does not render the assistant turn as a continuation of the generation "
                          "prompt, so training targets cannot match what the engine generates; pass --chat-template "
                          "with a built-in name such as smolvlm or chatml");
    }
    const std::string turn = conversation.substr(prompt.size());
    const size_t found = turn.find(answer);
    if (found == std::string::npos || turn.find(answer, found + 1) != std::string::npos) {
        throw EngineError("the chat template dropped or repeated the assistant answer; pass --chat-template with a "
                          "built-in name");
    }
    return {turn.substr(0, found), turn.substr(found + answer.size())};
}

std::string render_segments(const std::vector<PromptSegment>& segments, const std::string& image_marker) {
    std::string text;
    for (const auto& segment : segments) {
        text += segment.kind == PromptSegment::Kind::Image ? image_marker : segment.text;
    }
    return text;
}

}  // namespace medvlm
