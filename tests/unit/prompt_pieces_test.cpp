// How prompts are cut into pieces: piece classes, the reusable prefix and
// the next piece to evaluate.

#include <gtest/gtest.h>

#include <vector>

#include "engine/prompt_pieces.hpp"

namespace medvlm {
namespace {

// Text tokens with ids first, first + 1, ...
std::vector<PromptElement> text(int64_t first, size_t count) {
    std::vector<PromptElement> elements;
    for (size_t i = 0; i < count; ++i) {
        elements.push_back({first + static_cast<int64_t>(i), 1, 1, PieceClass::Grid});
    }
    return elements;
}

PromptElement image(int64_t id, int32_t tokens) { return {id, tokens, tokens, PieceClass::Image}; }

std::vector<PromptElement> join(std::initializer_list<std::vector<PromptElement>> parts) {
    std::vector<PromptElement> joined;
    for (const auto& part : parts) {
        joined.insert(joined.end(), part.begin(), part.end());
    }
    return joined;
}

std::vector<PromptElement> classified(std::vector<PromptElement> prompt) {
    assign_piece_classes(prompt);
    return prompt;
}

TEST(PromptPieces, ClassesFollowTextRuns) {
    // 3 text tokens, an image, 10 text tokens, an image, 4 text tokens.
    const auto prompt = classified(join({text(0, 3), {image(-1, 64)}, text(10, 10), {image(-2, 64)}, text(30, 4)}));
    ASSERT_EQ(prompt.size(), 19u);
    for (size_t i = 0; i < 3; ++i) {
        EXPECT_EQ(prompt[i].piece, PieceClass::Tail3) << i;
    }
    EXPECT_EQ(prompt[3].piece, PieceClass::Image);
    for (size_t i = 4; i < 12; ++i) {
        EXPECT_EQ(prompt[i].piece, PieceClass::Grid) << i;
    }
    EXPECT_EQ(prompt[12].piece, PieceClass::Tail2);
    EXPECT_EQ(prompt[13].piece, PieceClass::Tail2);
    EXPECT_EQ(prompt[14].piece, PieceClass::Image);
    for (size_t i = 15; i < 19; ++i) {
        EXPECT_EQ(prompt[i].piece, PieceClass::Grid) << i;
    }
}

TEST(PromptPieces, EmptyCacheReusesNothing) {
    const auto prompt = classified(text(0, 12));
    EXPECT_EQ(reusable_prefix(prompt, {}), 0u);
}

TEST(PromptPieces, IdenticalPromptKeepsItsLastPiece) {
    // Run of 10: grid of 8, tail of 2; the tail gives the logits.
    const auto with_tail = classified(join({text(0, 5), {image(-1, 64)}, text(10, 10)}));
    EXPECT_EQ(reusable_prefix(with_tail, with_tail), with_tail.size() - 2);

    // Run of 8: the last grid piece of 4 tokens gives the logits.
    const auto grid_only = classified(join({text(0, 5), {image(-1, 64)}, text(10, 8)}));
    EXPECT_EQ(reusable_prefix(grid_only, grid_only), grid_only.size() - 4);
}

TEST(PromptPieces, DivergenceRoundsDownToGrid) {
    const auto cached = classified(join({text(0, 4), {image(-1, 64)}, text(10, 20)}));
    auto prompt = cached;
    // The prompts differ at offset 6 of the second run.
    prompt[5 + 6].id = 99;
    assign_piece_classes(prompt);
    EXPECT_EQ(reusable_prefix(prompt, cached), 5u + 4u);
}

TEST(PromptPieces, DifferentImageStopsAtTheImage) {
    const auto cached = classified(join({text(0, 4), {image(-1, 64)}, text(10, 20)}));
    const auto prompt = classified(join({text(0, 4), {image(-2, 64)}, text(10, 20)}));
    EXPECT_EQ(reusable_prefix(prompt, cached), 4u);
}

TEST(PromptPieces, ClassMismatchIsNotShared) {
    // The cache holds a 10-token run evaluated as grid 8 + tail 2; a prompt
    // whose run continues evaluates those 2 tokens in its grid.
    const auto cached = classified(join({text(0, 4), {image(-1, 64)}, text(10, 10)}));
    const auto prompt = classified(join({text(0, 4), {image(-1, 64)}, text(10, 12), text(60, 4)}));
    EXPECT_EQ(reusable_prefix(prompt, cached), 5u + 8u);

    // After a generation step evaluated the tail again as a grid piece, and
    // two generated tokens (ids 20, 21) followed it, the prompt that
    // continues with the same tokens shares 12 of them.
    auto generated = cached;
    generated[5 + 8].piece = PieceClass::Grid;
    generated[5 + 9].piece = PieceClass::Grid;
    generated.push_back({20, 1, 1, PieceClass::Grid});
    generated.push_back({21, 1, 1, PieceClass::Grid});
    EXPECT_EQ(reusable_prefix(prompt, generated), 5u + 12u);
}

TEST(PromptPieces, ShortFirstRunIsShared) {
    // A first run of 3 tokens is a tail of its own in both prompts, so it
    // is shared, as are the image and the first grid piece after it.
    const auto cached = classified(join({text(0, 3), {image(-1, 64)}, text(10, 8)}));
    const auto prompt = classified(join({text(0, 3), {image(-1, 64)}, text(10, 4), text(50, 4)}));
    EXPECT_EQ(reusable_prefix(prompt, cached), 3u + 1u + 4u);
}

TEST(PromptPieces, NextPieceRespectsGridAndTail) {
    const auto prompt = classified(join({text(0, 4), {image(-1, 64)}, text(10, 14)}));
    const TextPiece first = next_text_piece(prompt, 5, 8);
    EXPECT_EQ(first.start, 5u);
    EXPECT_EQ(first.count, 8u);
    EXPECT_TRUE(first.batchable());

    const TextPiece limited = next_text_piece(prompt, 5, 7);
    EXPECT_EQ(limited.count, 4u);

    const TextPiece rest_of_grid = next_text_piece(prompt, 13, 512);
    EXPECT_EQ(rest_of_grid.count, 4u);

    const TextPiece tail = next_text_piece(prompt, 17, 512);
    EXPECT_EQ(tail.count, 2u);
    EXPECT_EQ(tail.piece, PieceClass::Tail2);
    EXPECT_FALSE(tail.batchable());
}

TEST(PromptPieces, NextPieceRejectsNonBoundary) {
    const auto prompt = classified(text(0, 14));
    EXPECT_THROW((void)next_text_piece(prompt, 2, 512), std::exception);
    EXPECT_THROW((void)next_text_piece(prompt, 13, 512), std::exception);
}

TEST(PromptPieces, GenerationContextStopsAtImages) {
    EXPECT_EQ(generation_context_tokens({}), 0u);
    EXPECT_EQ(generation_context_tokens(text(0, 10)), 3u);
    EXPECT_EQ(generation_context_tokens(join({text(0, 10), {image(-1, 64)}, text(20, 2)})), 2u);
    EXPECT_EQ(generation_context_tokens(join({text(0, 10), {image(-1, 64)}})), 0u);
}

TEST(PromptPieces, PromptEndingInImageIsRejected) {
    const auto prompt = classified(join({text(0, 4), {image(-1, 64)}}));
    EXPECT_THROW((void)reusable_prefix(prompt, {}), std::exception);
}

TEST(PromptPieces, SharedPrefixTokensWeighImages) {
    const auto a = join({text(0, 2), {image(-1, 64)}, text(10, 4)});
    auto b = a;
    b.back().id = 77;
    EXPECT_EQ(shared_prefix_tokens(a, b), 2 + 64 + 3);
    EXPECT_EQ(shared_prefix_tokens(a, a), 2 + 64 + 4);
    EXPECT_EQ(shared_prefix_tokens(a, {}), 0);
}

}  // namespace
}  // namespace medvlm
