// Question normalization, shingles, Jaccard and the MinHash LSH index.

#include <gtest/gtest.h>

#include <cmath>

#include "core/random.hpp"
#include "leakage/minhash_lsh.hpp"
#include "leakage/question_text.hpp"

namespace medvlm {
namespace {

SourceRecord record(const std::string& question, const std::string& answer, const std::string& lang = "en") {
    SourceRecord r;
    r.question = question;
    r.answer = answer;
    r.fields["q_lang"] = lang;
    return r;
}

TEST(QuestionText, NormalizedQuestionAndAnswer) {
    EXPECT_EQ(normalized_question(record("  Is THE liver  healthy? ", "Yes")), "is liver healthy");
    EXPECT_EQ(normalized_answer(record("q", "Yes.")), "yes");
    EXPECT_EQ(normalized_question(record("肝脏健康吗？", "是的", "zh")), "肝脏健康吗");

    SourceRecord choice = record("A 40-year-old man...\nAnswer Choices: (A) flu (B) cold", "B");
    choice.choices = {{"A", "Flu"}, {"B", "Common cold"}};
    EXPECT_EQ(normalized_question(choice), "40 year old man");
    EXPECT_EQ(normalized_answer(choice), "common cold");
}

TEST(QuestionText, ShinglesAndJaccard) {
    const auto a = word_shingles("does picture contain liver", 3);
    const auto b = word_shingles("does picture contain lung", 3);
    EXPECT_EQ(a.size(), 2u);
    EXPECT_DOUBLE_EQ(jaccard(a, a), 1.0);
    EXPECT_DOUBLE_EQ(jaccard(a, b), 1.0 / 3.0);  // {does picture contain} shared of 3 distinct
    EXPECT_EQ(word_shingles("two words", 3).size(), 1u);
    EXPECT_TRUE(word_shingles("", 3).empty());
    EXPECT_DOUBLE_EQ(jaccard({}, {}), 0.0);
    // Each CJK character is a word.
    EXPECT_EQ(word_shingles("肝脏健康吗", 3).size(), 3u);
}

TEST(QuestionText, StableHashIsFixed) {
    // FNV-1a of "" is its offset basis 0xCBF29CE484222325; the finalizer
    // turns it into the value below. A change would change MinHash candidates.
    EXPECT_EQ(stable_hash("liver"), stable_hash("liver"));
    EXPECT_NE(stable_hash("liver"), stable_hash("lung"));
    EXPECT_EQ(stable_hash(""), 0xF52A15E9A9B5E89Bull) << std::hex << stable_hash("");
}

TEST(MinHashLsh, ParametersReachTheTargetProbability) {
    for (const double threshold : {0.3, 0.5, 0.8, 0.9, 1.0}) {
        const LshParameters lsh = choose_lsh_parameters(threshold);
        EXPECT_EQ(lsh.bands * lsh.rows, lsh.hashes);
        EXPECT_GE(lsh.detection_probability, 0.99) << threshold;
        EXPECT_NEAR(lsh.detection_probability, lsh_detection_probability(threshold, lsh.bands, lsh.rows), 1e-12);
    }
    EXPECT_EQ(choose_lsh_parameters(0.8).rows, 4);
}

// Random vignettes with planted near-duplicates: LSH must find every pair
// at or above the threshold that a brute-force comparison finds.
TEST(MinHashLsh, FindsAllPlantedNearDuplicates) {
    SplitMix64 random(7);
    std::vector<std::string> vocabulary;
    for (int i = 0; i < 3000; ++i) {
        vocabulary.push_back("w" + std::to_string(i));
    }
    const auto vignette = [&](size_t words) {
        std::vector<std::string> text;
        for (size_t i = 0; i < words; ++i) {
            text.push_back(vocabulary[random.below(vocabulary.size())]);
        }
        return text;
    };
    const auto join_words = [](const std::vector<std::string>& words) {
        std::string text;
        for (const auto& word : words) {
            text += (text.empty() ? "" : " ") + word;
        }
        return text;
    };

    std::vector<std::vector<uint64_t>> train;
    std::vector<std::vector<std::string>> train_words;
    for (int i = 0; i < 500; ++i) {
        train_words.push_back(vignette(80 + random.below(80)));
        train.push_back(word_shingles(join_words(train_words.back()), 3));
    }
    std::vector<std::vector<uint64_t>> queries;
    for (int i = 0; i < 100; ++i) {
        std::vector<std::string> words = train_words[random.below(train_words.size())];
        const size_t edits = random.below(6);  // a few words changed
        for (size_t e = 0; e < edits; ++e) {
            words[random.below(words.size())] = vocabulary[random.below(vocabulary.size())];
        }
        queries.push_back(word_shingles(join_words(words), 3));
        queries.push_back(word_shingles(join_words(vignette(100)), 3));  // unrelated
    }

    const double threshold = 0.8;
    const MinHashIndex index(train, choose_lsh_parameters(threshold));
    size_t expected_pairs = 0;
    size_t candidates = 0;
    for (const auto& query : queries) {
        const auto found = index.candidates(query);
        candidates += found.size();
        for (size_t t = 0; t < train.size(); ++t) {
            if (jaccard(query, train[t]) >= threshold) {
                ++expected_pairs;
                EXPECT_TRUE(std::binary_search(found.begin(), found.end(), static_cast<uint32_t>(t)));
            }
        }
    }
    EXPECT_GT(expected_pairs, 50u);
    // The index compares far fewer pairs than all of them.
    EXPECT_LT(candidates, queries.size() * train.size() / 20);
}

}  // namespace
}  // namespace medvlm
