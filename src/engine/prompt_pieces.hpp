#pragma once
// How the in-process engine cuts prompts into llama.cpp batches, so that a
// call gets the same floating-point results whether it is evaluated from
// scratch, after a prefix reused from the KV cache, or in one batch with
// other sequences.
//
// llama.cpp's CPU matrix kernels choose their code path by the number of
// rows (tokens) in a batch, and each path rounds differently: one row takes
// a dot-product path while several rows take the tiled llamafile sgemm path
// (x86-64), and weights that llama.cpp repacks (Q4_0 and Q4_K on AVX2)
// are multiplied four rows at a time with the remainder rows one by one.
// Attention products are sized by the tokens each sequence has in the
// batch. So the engine evaluates text only in pieces that do not depend on
// caching or batching:
//
//   - a text run (the text between two images, or before the first or after
//     the last) is split from its start into a grid part, a multiple of
//     kPieceGranule tokens, evaluated in pieces that are multiples of
//     kPieceGranule (batched with other sequences' grid pieces), and a tail
//     of fewer than kPieceGranule tokens, evaluated in a batch of its own;
//   - every generation step evaluates the new token together with up to
//     kPieceGranule - 1 previous text tokens (evaluated again), so a step is
//     a grid piece unless the text since the last image is shorter;
//   - a reused prefix ends on a piece boundary, and a cached token counts as
//     shared only when it was evaluated in the same piece class as the new
//     prompt would evaluate it.
//
// Each token's values then depend only on its own prompt. With flash
// attention off and one KV stream per sequence whose cells follow the
// positions, this holds bit for bit on the CPU backend (checked by the
// identical-results tests). GPU backends pick kernels by batch size with
// other thresholds, so there the results may differ in rounding.

#include <cstddef>
#include <cstdint>
#include <vector>

namespace medvlm {

inline constexpr int kPieceGranule = 4;

// The batch shape an element's KV values were computed in.
enum class PieceClass : uint8_t {
    Image,  // image embeddings, always decoded chunk by chunk on their own
    Grid,   // a piece of a multiple of kPieceGranule tokens
    Tail1,  // a piece of 1, 2 or 3 tokens in a batch of its own
    Tail2,
    Tail3,
};

[[nodiscard]] PieceClass tail_class(size_t tokens);

// One text token or one image chunk of a prompt.
struct PromptElement {
    int64_t id = 0;        // text: the token id (>= 0); image chunk: a negative id unique to its content
    int32_t n_tokens = 1;  // KV cells it occupies
    int32_t n_pos = 1;     // positions it advances
    PieceClass piece = PieceClass::Grid;

    [[nodiscard]] bool is_image() const { return id < 0; }
    [[nodiscard]] bool operator==(const PromptElement&) const = default;
};

// Sets each element's piece class to the one it gets when the prompt is
// evaluated from scratch.
void assign_piece_classes(std::vector<PromptElement>& prompt);

// The elements [start, end) of the text run that contains element `index`.
struct TextRun {
    size_t start = 0;
    size_t end = 0;
    [[nodiscard]] size_t grid_end() const { return start + (end - start) / kPieceGranule * kPieceGranule; }
};
[[nodiscard]] TextRun text_run_at(const std::vector<PromptElement>& prompt, size_t index);

// How many leading elements of `prompt` may be taken from a KV cache
// holding `cached`: the longest common prefix (ids, sizes and piece classes
// equal), cut back to a piece boundary and to before the prompt's last
// piece, whose logits every call needs. `prompt` carries its own classes
// (assign_piece_classes).
[[nodiscard]] size_t reusable_prefix(const std::vector<PromptElement>& prompt,
                                     const std::vector<PromptElement>& cached);

// The tokens (the summed n_tokens) two prompts share at their start,
// comparing ids only. Used to group calls that share a prefix.
[[nodiscard]] int64_t shared_prefix_tokens(const std::vector<PromptElement>& a, const std::vector<PromptElement>& b);

// The next piece of text to evaluate from element `next` (a text element on
// a piece boundary): a grid piece of at most `max_grid_tokens` (rounded down
// to a multiple of kPieceGranule, at least kPieceGranule), or the run's tail.
struct TextPiece {
    size_t start = 0;
    size_t count = 0;
    PieceClass piece = PieceClass::Grid;
    [[nodiscard]] bool batchable() const { return piece == PieceClass::Grid; }
};
[[nodiscard]] TextPiece next_text_piece(const std::vector<PromptElement>& prompt, size_t next, size_t max_grid_tokens);

// How many of the last elements of `evaluated` (all of them text, none
// before the last image) a generation step evaluates again next to the new
// token: kPieceGranule - 1, or fewer when the text since the last image is
// shorter.
[[nodiscard]] size_t generation_context_tokens(const std::vector<PromptElement>& evaluated);

}  // namespace medvlm
