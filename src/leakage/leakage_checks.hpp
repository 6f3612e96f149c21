#pragma once
// Finds the overlaps between training sources and evaluation sources that
// make an evaluation score meaningless: shared or near-identical images,
// repeated questions and vignettes, repeated question-answer pairs, and
// answers readable from file names or captions.
//
// Image checks run at the image level and are then expanded to the records
// that use the images. An image pair counts under the strongest content
// check that matches it: identical file bytes, else identical decoded
// pixels, else a pHash within the Hamming threshold. The image name check
// is independent of content.

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "data/image.hpp"
#include "leakage/image_fingerprint.hpp"
#include "leakage/label_in_name.hpp"
#include "leakage/minhash_lsh.hpp"
#include "sources/source.hpp"

namespace medvlm {

enum class LeakageCheck {
    ImageName,
    ImageFileSha256,
    ImagePixelSha256,
    ImagePhash,
    QuestionExact,
    QuestionNearDuplicate,
    QaPairSameImage,
    QaPairDifferentImage,
};

// In report order.
[[nodiscard]] const std::vector<LeakageCheck>& all_leakage_checks();
[[nodiscard]] std::string leakage_check_name(LeakageCheck check);
[[nodiscard]] std::string leakage_check_description(LeakageCheck check);
[[nodiscard]] bool is_image_check(LeakageCheck check);
// Throws InputError listing the check names.
[[nodiscard]] LeakageCheck parse_leakage_check(std::string_view name);

// The default pHash threshold. Resized (0.5x to 1.5x) and JPEG re-encoded
// (quality 30 to 95) copies of all 937 SLAKE and VQA-RAD images stay within
// 3 bits of their originals. No two different VQA-RAD images with the same
// organ label are closer than 5 bits. SLAKE holds adjacent
// slices of one scan under different image ids; those differ by 0-4 bits
// and are found as near-duplicates, as they should be. phash_test.cpp
// checks both sides of the gap.
inline constexpr int kDefaultPhashMaxDistance = 4;
inline constexpr double kDefaultQuestionJaccard = 0.8;
inline constexpr int kDefaultShingleWords = 3;

struct LeakageSettings {
    int phash_max_distance = kDefaultPhashMaxDistance;
    double question_jaccard = kDefaultQuestionJaccard;
    int shingle_words = kDefaultShingleWords;
    unsigned threads = 1;
    ImageLimits image_limits;
    bool skip_invalid = false;
};

struct RecordRef {
    uint32_t source = 0;  // position in the train or eval source list
    uint32_t record = 0;  // position in that source's records
};

struct LeakagePair {
    LeakageCheck check = LeakageCheck::ImageName;
    RecordRef train;
    RecordRef eval;
    // 0 for exact checks; Hamming bits for image_phash; 1 - Jaccard for
    // question_near_duplicate.
    double distance = 0.0;
    // Position of the matched image in each record's image list (image
    // checks only, else -1).
    int32_t train_image = -1;
    int32_t eval_image = -1;
};

struct CheckTotals {
    size_t pairs = 0;
    size_t train_records = 0;
    size_t eval_records = 0;
    // Distinct image names per source involved (image checks only).
    size_t train_images = 0;
    size_t eval_images = 0;
};

// Counts for one evaluation source (one eval split).
struct EvalSplitTotals {
    size_t records = 0;
    size_t images = 0;  // distinct image names
    size_t images_unusable = 0;
    std::map<LeakageCheck, CheckTotals> checks;
    size_t records_any_image_check = 0;
    size_t images_any_image_check = 0;
    size_t records_any_check = 0;
};

struct LabelRevealFinding {
    bool eval = false;  // false: a training record
    RecordRef record;
    LabelReveal reveal;
};

struct LeakageResult {
    // Ordered by check, eval source, eval record, train source, train record.
    std::vector<LeakagePair> pairs;
    std::map<LeakageCheck, CheckTotals> totals;
    std::vector<EvalSplitTotals> eval_splits;  // one per eval source, same order
    std::vector<LabelRevealFinding> label_reveals;
    LshParameters lsh;
    ImageTable images;
};

// Fingerprints the images of both sides (marking unusable ones when
// skip_invalid is set) and runs every check of train against eval.
[[nodiscard]] LeakageResult find_leakage(std::vector<Source>& train, std::vector<Source>& eval,
                                         const LeakageSettings& settings);

}  // namespace medvlm
