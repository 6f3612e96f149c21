#pragma once
// The text forms the question checks compare: normalized question and
// answer strings, and word shingles for near-duplicate detection.

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "sources/source.hpp"

namespace medvlm {

// normalize_answer() of the question stem: NFKC, lowercase, punctuation to
// spaces, English articles dropped unless the record's q_lang is zh. A
// trailing "Answer Choices:" block is removed first, because MedXpertQA-MM
// repeats its options there and the options are compared separately.
[[nodiscard]] std::string normalized_question(const SourceRecord& record);

// normalize_answer() of the answer text; for multiple choice, of the text
// of the correct option rather than its letter.
[[nodiscard]] std::string normalized_answer(const SourceRecord& record);

// 64-bit hashes of the word k-grams of normalized text, sorted and unique.
// Words are answer_tokens(), so each CJK character is a word. A text of
// fewer than k words is one shingle.
[[nodiscard]] std::vector<uint64_t> word_shingles(std::string_view normalized, int words_per_shingle);

// |A and B| / |A or B| of two sorted, unique shingle lists; 0 when both are empty.
[[nodiscard]] double jaccard(const std::vector<uint64_t>& a, const std::vector<uint64_t>& b);

// FNV-1a followed by the SplitMix64 finalizer: stable across platforms and
// standard libraries, unlike std::hash.
[[nodiscard]] uint64_t stable_hash(std::string_view text);

}  // namespace medvlm
