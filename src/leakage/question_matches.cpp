#include <map>

#include "leakage/minhash_lsh.hpp"
#include "leakage/pair_collector.hpp"
#include "leakage/question_text.hpp"

namespace medvlm {
namespace {

// Records grouped by their normalized question, so each distinct text is
// shingled and indexed once however often a template repeats it.
struct QuestionGroups {
    std::map<std::string, std::vector<RecordRef>> by_question;
    std::map<std::pair<std::string, std::string>, std::vector<RecordRef>> by_question_answer;
};

QuestionGroups group_questions(const std::vector<Source>& sources) {
    QuestionGroups groups;
    for (uint32_t s = 0; s < sources.size(); ++s) {
        const auto& records = sources[s].records;
        for (uint32_t r = 0; r < records.size(); ++r) {
            const std::string question = normalized_question(records[r]);
            if (question.empty()) {
                continue;  // punctuation only: nothing to compare
            }
            groups.by_question[question].push_back({s, r});
            groups.by_question_answer[{question, normalized_answer(records[r])}].push_back({s, r});
        }
    }
    return groups;
}

void add_cross_pairs(const std::vector<RecordRef>& train, const std::vector<RecordRef>& eval, LeakageCheck check,
                     double distance, PairCollector& pairs) {
    for (const auto& eval_record : eval) {
        for (const auto& train_record : train) {
            pairs.add(LeakagePair{check, train_record, eval_record, distance, -1, -1});
        }
    }
}

void match_near_duplicates(const QuestionGroups& train, const QuestionGroups& eval, const LeakageSettings& settings,
                           const LshParameters& lsh, PairCollector& pairs) {
    std::vector<const std::string*> train_texts;
    std::vector<std::vector<uint64_t>> train_shingles;
    for (const auto& [text, records] : train.by_question) {
        train_texts.push_back(&text);
        train_shingles.push_back(word_shingles(text, settings.shingle_words));
    }
    const MinHashIndex index(train_shingles, lsh);

    for (const auto& [text, eval_records] : eval.by_question) {
        const auto shingles = word_shingles(text, settings.shingle_words);
        for (const uint32_t candidate : index.candidates(shingles)) {
            if (*train_texts[candidate] == text) {
                continue;  // an exact repeat, reported by question_exact
            }
            const double similarity = jaccard(shingles, train_shingles[candidate]);
            if (similarity >= settings.question_jaccard) {
                add_cross_pairs(train.by_question.at(*train_texts[candidate]), eval_records,
                                LeakageCheck::QuestionNearDuplicate, 1.0 - similarity, pairs);
            }
        }
    }
}

}  // namespace

void match_questions(const std::vector<Source>& train, const std::vector<Source>& eval,
                     const LeakageSettings& settings, const LshParameters& lsh, const RecordPairSet& same_image,
                     PairCollector& pairs) {
    const QuestionGroups train_groups = group_questions(train);
    const QuestionGroups eval_groups = group_questions(eval);

    for (const auto& [text, eval_records] : eval_groups.by_question) {
        const auto it = train_groups.by_question.find(text);
        if (it != train_groups.by_question.end()) {
            add_cross_pairs(it->second, eval_records, LeakageCheck::QuestionExact, 0.0, pairs);
        }
    }

    match_near_duplicates(train_groups, eval_groups, settings, lsh, pairs);

    for (const auto& [key, eval_records] : eval_groups.by_question_answer) {
        const auto it = train_groups.by_question_answer.find(key);
        if (it == train_groups.by_question_answer.end()) {
            continue;
        }
        for (const auto& eval_record : eval_records) {
            for (const auto& train_record : it->second) {
                const bool shared = same_image.contains(record_pair_key(train_record, eval_record));
                pairs.add(LeakagePair{shared ? LeakageCheck::QaPairSameImage : LeakageCheck::QaPairDifferentImage,
                                      train_record, eval_record, 0.0, -1, -1});
            }
        }
    }
}

}  // namespace medvlm
