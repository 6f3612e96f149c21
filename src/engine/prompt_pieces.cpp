#include "engine/prompt_pieces.hpp"

#include <algorithm>

#include "core/error.hpp"

namespace medvlm {
namespace {

// The largest piece boundary at or before element `index` (a boundary is an
// image, the start of a grid piece, the start of a tail, or the end).
size_t piece_boundary_at_or_before(const std::vector<PromptElement>& prompt, size_t index) {
    if (index >= prompt.size() || prompt[index].is_image()) {
        return index;
    }
    const TextRun run = text_run_at(prompt, index);
    if (index >= run.grid_end()) {
        return run.grid_end();
    }
    const size_t offset = index - run.start;
    return run.start + offset / kPieceGranule * kPieceGranule;
}

// Where the prompt's last piece starts: its final tail, or its final grid piece.
size_t last_piece_start(const std::vector<PromptElement>& prompt) {
    if (prompt.empty() || prompt.back().is_image()) {
        throw EngineError("the prompt ends with an image; the chat template must follow it with text");
    }
    const TextRun run = text_run_at(prompt, prompt.size() - 1);
    if (run.end > run.grid_end()) {
        return run.grid_end();
    }
    return run.end - kPieceGranule;
}

}  // namespace

PieceClass tail_class(size_t tokens) {
    switch (tokens) {
        case 1:
            return PieceClass::Tail1;
        case 2:
            return PieceClass::Tail2;
        case 3:
            return PieceClass::Tail3;
        default:
            throw Error("a tail piece has 1 to " + std::to_string(kPieceGranule - 1) + " tokens, not " +
                        std::to_string(tokens));
    }
}

TextRun text_run_at(const std::vector<PromptElement>& prompt, size_t index) {
    if (index >= prompt.size() || prompt[index].is_image()) {
        throw Error("text_run_at: element " + std::to_string(index) + " is not text");
    }
    TextRun run{index, index + 1};
    while (run.start > 0 && !prompt[run.start - 1].is_image()) {
        --run.start;
    }
    while (run.end < prompt.size() && !prompt[run.end].is_image()) {
        ++run.end;
    }
    return run;
}

void assign_piece_classes(std::vector<PromptElement>& prompt) {
    size_t index = 0;
    while (index < prompt.size()) {
        if (prompt[index].is_image()) {
            prompt[index].piece = PieceClass::Image;
            ++index;
            continue;
        }
        const TextRun run = text_run_at(prompt, index);
        const size_t grid_end = run.grid_end();
        for (size_t i = run.start; i < run.end; ++i) {
            prompt[i].piece = i < grid_end ? PieceClass::Grid : tail_class(run.end - grid_end);
        }
        index = run.end;
    }
}

size_t reusable_prefix(const std::vector<PromptElement>& prompt, const std::vector<PromptElement>& cached) {
    size_t shared = 0;
    while (shared < prompt.size() && shared < cached.size() && prompt[shared] == cached[shared]) {
        ++shared;
    }
    return std::min(piece_boundary_at_or_before(prompt, shared), last_piece_start(prompt));
}

int64_t shared_prefix_tokens(const std::vector<PromptElement>& a, const std::vector<PromptElement>& b) {
    int64_t tokens = 0;
    for (size_t i = 0; i < a.size() && i < b.size() && a[i].id == b[i].id; ++i) {
        tokens += a[i].n_tokens;
    }
    return tokens;
}

TextPiece next_text_piece(const std::vector<PromptElement>& prompt, size_t next, size_t max_grid_tokens) {
    const TextRun run = text_run_at(prompt, next);
    const size_t grid_end = run.grid_end();
    if (next < grid_end) {
        if ((next - run.start) % kPieceGranule != 0) {
            throw Error("next_text_piece: element " + std::to_string(next) + " is not on a piece boundary");
        }
        const size_t limit = std::max<size_t>(kPieceGranule, max_grid_tokens / kPieceGranule * kPieceGranule);
        return {next, std::min(grid_end - next, limit), PieceClass::Grid};
    }
    if (next != grid_end) {
        throw Error("next_text_piece: element " + std::to_string(next) + " is inside a tail");
    }
    const size_t count = run.end - next;
    return {next, count, tail_class(count)};
}

size_t generation_context_tokens(const std::vector<PromptElement>& evaluated) {
    size_t count = 0;
    while (count < kPieceGranule - 1 && count < evaluated.size() &&
           !evaluated[evaluated.size() - 1 - count].is_image()) {
        ++count;
    }
    return count;
}

}  // namespace medvlm
