#include "engine/engine.hpp"

#include "core/error.hpp"

namespace medvlm {

std::string scoring_name(Scoring scoring) {
    return scoring == Scoring::Generate ? "generate" : "choice-logprob";
}

Scoring parse_scoring(const std::string& name) {
    if (name == "generate") {
        return Scoring::Generate;
    }
    if (name == "choice-logprob") {
        return Scoring::ChoiceLogprob;
    }
    throw InputError("unknown --scoring '" + name + "'; expected generate or choice-logprob");
}

std::vector<EngineResult> Engine::run_batch(const std::vector<EngineRequest>& requests) {
    std::vector<EngineResult> results;
    results.reserve(requests.size());
    for (const auto& request : requests) {
        results.push_back(run(request));
    }
    return results;
}

}  // namespace medvlm
