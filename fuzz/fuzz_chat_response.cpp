// Fuzz target: parse_chat_response() and describe_http_error() on an
// arbitrary response body.
//
// Both must turn any body into a result, never an exception: a malformed
// body is a failed call with a reason. The first byte selects generated or
// choice-logprob scoring; the rest is the body.

#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <string>

#include "engine/openai_messages.hpp"
#include "fuzz_check.hpp"

using medvlm::fuzzing::check;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    if (size == 0) {
        return 0;
    }
    medvlm::EngineRequest request;
    if (data[0] & 1) {
        request.scoring = medvlm::Scoring::ChoiceLogprob;
        request.choice_letters = {"A", "B", "C", "D", "E"};
        request.max_new_tokens = 1;
    }
    const std::string body(reinterpret_cast<const char*>(data) + 1, size - 1);

    medvlm::EngineResult result;
    medvlm::parse_chat_response(body, request, result);
    if (!result.ok) {
        check(!result.error.empty());
    } else {
        check(result.prompt_tokens >= 0);
        check(result.generated_tokens >= 0);
        for (const auto& [letter, logprob] : result.choice_logprobs) {
            check(letter.size() == 1 && letter[0] >= 'A' && letter[0] <= 'E');
            check(std::isfinite(logprob) && logprob <= 0);
        }
    }

    medvlm::HttpResponse response;
    response.received = true;
    response.status = 500;
    response.body = body;
    const std::string description = medvlm::describe_http_error(response);
    check(description.rfind("HTTP 500", 0) == 0);
    return 0;
}
