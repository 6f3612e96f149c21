#pragma once
// The chat-completions exchange of the OpenAI-compatible engine: the JSON
// body medvlm sends and what it reads back.
//
// Request: the system message (when the prompt has one), one user message
// whose content is the images as `image_url` parts followed by the text
// (the in-process engine's order), and, for a prefilled answer, a final
// assistant message with `continue_final_message: true` and
// `add_generation_prompt: false` (the vLLM names, which llama-server reads
// as well). Greedy decoding: temperature 0, max_tokens from the run.
//
// NOTE: llama-server (commit 80fb11ac) appends the prefilled text directly
// after the template's generation prompt ("Assistant:Final answer:"),
// while the in-process engine inserts a space after a prompt ending in ':'
// (chat_prompt.cpp). Choice-logprob prompts can therefore differ by that
// space between the two engines; generated answers are not affected.
//
// Response: choices[0].message.content and usage.prompt_tokens are
// required; a body that is not JSON or lacks either is a failed call with
// the reason, never an exception.

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "engine/engine.hpp"
#include "engine/openai_http.hpp"

namespace medvlm {

// Top tokens asked for with each choice-logprob call; 20 is the maximum of
// the OpenAI API.
inline constexpr int kTopLogprobs = 20;

// `image_urls` are data URLs, one per request image, in order.
[[nodiscard]] nlohmann::json build_chat_request(const EngineRequest& request,
                                                const std::vector<std::string>& image_urls,
                                                const std::string& model_name);

// Fills `result` from a 2xx body, or sets ok=false with the reason.
// Choice-logprob calls read the first generated position's top_logprobs:
// a letter's probability is the sum over the tokens "X" and " X", and
// letters outside the top tokens get no entry.
void parse_chat_response(const std::string& body, const EngineRequest& request, EngineResult& result);

// "HTTP 503: <the server's error message>" for a response that is not 2xx.
[[nodiscard]] std::string describe_http_error(const HttpResponse& response);

}  // namespace medvlm
