#include "report/short_answer_slices.hpp"

#include <algorithm>

#include "core/text.hpp"
#include "scoring/short_answer_question.hpp"

namespace medvlm {
namespace {

std::string upper_ascii(std::string_view text) {
    std::string out(text);
    std::transform(out.begin(), out.end(), out.begin(), [](unsigned char c) {
        return static_cast<char>(c >= 'a' && c <= 'z' ? c - 'a' + 'A' : c);
    });
    return out;
}

ShortAnswerSlice answer_type_slice() {
    SliceDefinition definition{"answer_type", [](const Example& example) -> std::vector<std::string> {
                                   const auto type = example.fields.find("answer_type");
                                   if (type != example.fields.end()) {
                                       return {type->second};
                                   }
                                   return {gold_is_yes_no(example) ? "CLOSED (derived)" : "OPEN (derived)"};
                               }};
    return {definition,
            "The record's answer_type (CLOSED or OPEN); rows without one are 'CLOSED (derived)' when the gold is a "
            "yes/no answer and 'OPEN (derived)' otherwise."};
}

ShortAnswerSlice gold_yes_no_slice() {
    SliceDefinition definition{"gold_yes_no", [](const Example& example) -> std::vector<std::string> {
                                   return {gold_is_yes_no(example) ? "yes/no" : "other"};
                               }};
    return {definition, "'yes/no' when the normalized gold answer is one yes/no answer word (see yes_no_gold in "
                        "metric_definitions), 'other' otherwise, whatever the answer_type."};
}

ShortAnswerSlice record_field_slice(const std::string& field, const std::string& description) {
    return {field_slice(field), description + " Rows without the field are '(missing)'."};
}

std::vector<ShortAnswerSlice> slake_slices() {
    return {
        answer_type_slice(),
        record_field_slice("content_type", "The record's content_type (Organ, Position, Abnormality, KG, ...)."),
        record_field_slice("modality", "The record's modality (CT, MRI, X-Ray)."),
        record_field_slice("location", "The record's location (Lung, Abdomen, Brain_Tissue, ...)."),
        record_field_slice("base_type", "The record's base_type: vqa, or kvqa for knowledge-graph questions."),
        gold_yes_no_slice(),
    };
}

std::vector<ShortAnswerSlice> vqa_rad_slices() {
    SliceDefinition question_type{"question_type", [](const Example& example) -> std::vector<std::string> {
                                      const auto value = example.fields.find("question_type");
                                      if (value == example.fields.end()) {
                                          return {"(missing)"};
                                      }
                                      return fold_question_type(value->second);
                                  }};
    SliceDefinition phrase_type{"phrase_type", [](const Example& example) -> std::vector<std::string> {
                                    const auto value = example.fields.find("phrase_type");
                                    if (value == example.fields.end()) {
                                        return {"(missing)"};
                                    }
                                    return {phrase_kind(value->second)};
                                }};
    return {
        answer_type_slice(),
        {question_type,
         "The record's question_type, folded: comma-joined values such as 'PRES, POS' count in each category, "
         "case is folded (Other is OTHER), ATRIB is ATTRIB and PRSE is PRES. A row can therefore be in several "
         "rows of this slice."},
        record_field_slice("image_organ", "The record's image_organ (HEAD, CHEST, ABD)."),
        {phrase_type,
         "The record's phrase_type without the split: 'freeform' (freeform, test_freeform) or 'paraphrase' "
         "(para, test_para)."},
        gold_yes_no_slice(),
    };
}

}  // namespace

std::vector<ShortAnswerSlice> short_answer_slices(Benchmark benchmark) {
    switch (benchmark) {
        case Benchmark::Slake: return slake_slices();
        case Benchmark::VqaRad: return vqa_rad_slices();
        case Benchmark::MedXpertQaMm: break;
    }
    return {answer_type_slice(), gold_yes_no_slice()};
}

std::vector<std::string> fold_question_type(std::string_view question_type) {
    std::vector<std::string> categories;
    for (const auto& part : split(question_type, ',')) {
        std::string category = upper_ascii(trim(part));
        if (category.empty()) {
            continue;
        }
        // Misspellings in the official VQA-RAD release (one train record each).
        if (category == "ATRIB") {
            category = "ATTRIB";
        } else if (category == "PRSE") {
            category = "PRES";
        }
        if (std::find(categories.begin(), categories.end(), category) == categories.end()) {
            categories.push_back(category);
        }
    }
    if (categories.empty()) {
        categories.push_back("(missing)");
    }
    return categories;
}

std::string phrase_kind(std::string_view phrase_type) {
    if (phrase_type == "freeform" || phrase_type == "test_freeform") {
        return "freeform";
    }
    if (phrase_type == "para" || phrase_type == "test_para") {
        return "paraphrase";
    }
    return std::string(phrase_type);
}

}  // namespace medvlm
