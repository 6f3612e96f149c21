#include "curriculum/stage_samples.hpp"

#include "curriculum/canonical_answer.hpp"
#include "prompts/prompt_builder.hpp"

namespace medvlm {
namespace {

// The user text `medvlm eval` sends for this record in image+text mode
// (options in record order), so a model is trained on the prompt it is
// evaluated with.
std::string eval_prompt(const SourceRecord& record, const PromptTexts& texts) {
    // build_prompt() reads Example::benchmark only to name it in the error
    // of the options-only modes, which image+text never raises.
    Example example;
    example.benchmark = record.choices.empty() ? Benchmark::Slake : Benchmark::MedXpertQaMm;
    example.id = record.id;
    example.question = record.question;
    example.choices = record.choices;
    example.answer = record.answer;
    return build_prompt(example, AblationMode::ImageText, 0, texts, false).user_text;
}

}  // namespace

TrainingSample sample_from_record(const Source& source, const SourceRecord& record, const ImageTable& images) {
    TrainingSample sample;
    sample.source = {source_kind_name(source.spec.kind), source.spec.data_file.string(), record.id, source.label};
    for (const auto& image : record.images) {
        sample.images.push_back(image.path.string());
        sample.image_sha256.push_back(images.fingerprints.at(static_cast<size_t>(image.fingerprint)).file_sha256);
    }
    return sample;
}

std::vector<TrainingSample> short_answer_samples(const Source& source, const std::vector<const SourceRecord*>& records,
                                                 const ImageTable& images, size_t& empty_answers) {
    const PromptTexts texts = PromptTexts::defaults();
    std::vector<TrainingSample> samples;
    for (const SourceRecord* record : records) {
        const std::string answer = canonical_answer(record->answer);
        if (answer.empty()) {
            ++empty_answers;
            continue;
        }
        TrainingSample sample = sample_from_record(source, *record, images);
        sample.id = source.label + ":" + record->id;
        sample.stage = 2;
        sample.prompt = eval_prompt(*record, texts);
        sample.answer = answer;
        sample.task = "short_answer";
        samples.push_back(std::move(sample));
    }
    return samples;
}

std::vector<TrainingSample> multiple_choice_samples(const Source& source,
                                                    const std::vector<const SourceRecord*>& records,
                                                    const ImageTable& images) {
    const PromptTexts texts = PromptTexts::defaults();
    std::vector<TrainingSample> samples;
    for (const SourceRecord* record : records) {
        TrainingSample sample = sample_from_record(source, *record, images);
        sample.id = source.label + ":" + record->id;
        sample.stage = 3;
        sample.prompt = eval_prompt(*record, texts);
        sample.answer = "Final answer: " + record->answer;
        sample.task = "multiple_choice";
        samples.push_back(std::move(sample));
    }
    return samples;
}

std::vector<TrainingSample> instruction_samples(const Source& source, const std::vector<const SourceRecord*>& records,
                                                const ImageTable& images) {
    std::vector<TrainingSample> samples;
    for (const SourceRecord* record : records) {
        TrainingSample sample = sample_from_record(source, *record, images);
        sample.id = source.label + ":" + record->id;
        sample.stage = 4;
        sample.prompt = record->question;
        sample.answer = record->answer;
        sample.task = "instruction";
        samples.push_back(std::move(sample));
    }
    return samples;
}

}  // namespace medvlm
