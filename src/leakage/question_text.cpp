#include "leakage/question_text.hpp"

#include <algorithm>

#include "prompts/prompt_builder.hpp"
#include "scoring/normalize.hpp"

namespace medvlm {
namespace {

bool is_chinese(const SourceRecord& record) {
    const auto it = record.fields.find("q_lang");
    return it != record.fields.end() && it->second == "zh";
}

uint64_t mix(uint64_t z) {
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

}  // namespace

uint64_t stable_hash(std::string_view text) {
    uint64_t hash = 0xCBF29CE484222325ull;
    for (const char c : text) {
        hash ^= static_cast<unsigned char>(c);
        hash *= 0x100000001B3ull;
    }
    return mix(hash);
}

std::string normalized_question(const SourceRecord& record) {
    const std::string stem = record.choices.empty() ? record.question : strip_answer_choices(record.question);
    return normalize_answer(stem, NormalizeOptions{!is_chinese(record), false});
}

std::string normalized_answer(const SourceRecord& record) {
    return normalize_answer(record.answer_text(), NormalizeOptions{!is_chinese(record), false});
}

std::vector<uint64_t> word_shingles(std::string_view normalized, int words_per_shingle) {
    const std::vector<std::string> words = answer_tokens(normalized);
    const size_t k = static_cast<size_t>(std::max(1, words_per_shingle));
    std::vector<uint64_t> shingles;
    if (words.empty()) {
        return shingles;
    }
    const size_t count = words.size() < k ? 1 : words.size() - k + 1;
    for (size_t start = 0; start < count; ++start) {
        uint64_t shingle = 0;
        for (size_t i = start; i < std::min(words.size(), start + k); ++i) {
            shingle = mix(shingle * 0x100000001B3ull ^ stable_hash(words[i]));
        }
        shingles.push_back(shingle);
    }
    std::sort(shingles.begin(), shingles.end());
    shingles.erase(std::unique(shingles.begin(), shingles.end()), shingles.end());
    return shingles;
}

double jaccard(const std::vector<uint64_t>& a, const std::vector<uint64_t>& b) {
    if (a.empty() && b.empty()) {
        return 0.0;
    }
    size_t common = 0;
    auto ia = a.begin();
    auto ib = b.begin();
    while (ia != a.end() && ib != b.end()) {
        if (*ia < *ib) {
            ++ia;
        } else if (*ib < *ia) {
            ++ib;
        } else {
            ++common;
            ++ia;
            ++ib;
        }
    }
    return static_cast<double>(common) / static_cast<double>(a.size() + b.size() - common);
}

}  // namespace medvlm
