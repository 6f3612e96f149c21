#include "run/scorer.hpp"

#include "scoring/choice_extractor.hpp"
#include "scoring/short_answer.hpp"
#include "scoring/short_answer_question.hpp"

namespace medvlm {
namespace {

void score_multiple_choice(const CallContext& call, const EngineResult& result, Prediction& prediction) {
    const BuiltPrompt& prompt = *call.prompt;
    const Example& example = *call.example;
    std::vector<std::string> shown_texts;
    for (const int original : prompt.shown_to_original) {
        shown_texts.push_back(example.choices[static_cast<size_t>(original)].text);
    }

    std::string shown;
    if (call.request->scoring == Scoring::ChoiceLogprob) {
        shown = result.text;  // the letter with the highest log-probability
        prediction.extraction_rule = "choice_logprob";
        for (size_t i = 0; i < prompt.letters.size(); ++i) {
            const auto it = result.choice_logprobs.find(prompt.letters[i]);
            if (it != result.choice_logprobs.end()) {
                const auto original = static_cast<size_t>(prompt.shown_to_original[i]);
                prediction.choice_logprobs[example.choices[original].letter] = it->second;
            }
        }
    } else {
        const ExtractedChoice extracted = extract_choice(result.text, prompt.letters, shown_texts);
        shown = extracted.letter;
        prediction.extraction_rule = extracted.rule;
        prediction.ambiguous = extracted.ambiguous;
    }

    prediction.shown_letter = shown;
    prediction.unknown = shown.empty();
    for (size_t i = 0; i < prompt.letters.size() && !shown.empty(); ++i) {
        if (prompt.letters[i] == shown) {
            prediction.extracted = example.choices[static_cast<size_t>(prompt.shown_to_original[i])].letter;
        }
    }
    prediction.correct = !prediction.unknown && prediction.extracted == example.answer;
}

void score_short(const CallContext& call, const EngineResult& result, const NormalizeOptions& base,
                 Prediction& prediction) {
    const Example& example = *call.example;
    const ShortAnswerScore score = score_short_answer(result.text, example.answer, closed_from_answer_type(example),
                                                      normalize_options_for(example, base));
    prediction.extracted = result.text;
    prediction.unknown = score.normalized_prediction.empty();
    prediction.correct = score.exact_match == 1;
    prediction.metrics = {
        {"language", question_language(example)},
        {"normalized_prediction", score.normalized_prediction},
        {"normalized_gold", score.normalized_gold},
        {"exact_match", score.exact_match},
        {"token_f1", score.token_f1},
        {"token_recall", score.token_recall},
        {"closed", score.closed},
        {"closed_source", closed_source_name(score.closed_source)},
        {"yes_no_gold", score.yes_no_gold},
        {"polarity", polarity_name(score.prediction_polarity)},
        {"closed_correct", score.closed_correct},
    };
}

}  // namespace

Prediction score_call(const CallContext& call, const EngineResult& result, const NormalizeOptions& normalize) {
    Prediction prediction;
    prediction.id = call.example->id;
    prediction.mode = call.mode;
    prediction.rotation = call.rotation;
    prediction.gold = call.example->answer;
    if (call.image_source != nullptr) {
        prediction.image_source_id = call.image_source->id;
        for (const auto& image : call.image_source->images) {
            prediction.images_sent.push_back(image.name);
        }
    }
    prediction.images_encoded = result.images_encoded;
    prediction.image_chunks = result.image_chunks;
    prediction.image_tokens = result.image_tokens;
    prediction.prompt_tokens = result.prompt_tokens;
    prediction.generated_tokens = result.generated_tokens;
    prediction.truncated = result.truncated;
    prediction.ok = result.ok;
    prediction.error = result.error;
    prediction.raw_output = result.text;
    prediction.image_encode_ms = result.image_encode_ms;
    prediction.prompt_eval_ms = result.prompt_eval_ms;
    prediction.generate_ms = result.generate_ms;
    prediction.total_ms = result.total_ms;
    if (!result.ok) {
        return prediction;
    }

    if (call.example->choices.empty()) {
        score_short(call, result, normalize, prediction);
    } else {
        score_multiple_choice(call, result, prediction);
    }
    return prediction;
}

}  // namespace medvlm
