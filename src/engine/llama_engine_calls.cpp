// Running calls in the in-process engine's sequence slots: choosing which
// slot takes which call, reusing the prefix a slot holds, and evaluating
// the slots' prompt pieces and generation steps in shared llama.cpp
// batches cut as engine/prompt_pieces.hpp describes.

#include <mtmd-helper.h>

#include <algorithm>
#include <cmath>

#include "core/error.hpp"
#include "core/text.hpp"
#include "engine/llama_engine_impl.hpp"
#include "engine/slot_scheduler.hpp"

namespace medvlm {
namespace {

using Clock = std::chrono::steady_clock;

double elapsed_ms(Clock::time_point start) {
    return std::chrono::duration<double, std::milli>(Clock::now() - start).count();
}

llama_pos positions_before(const std::vector<PromptElement>& elements, size_t count) {
    llama_pos positions = 0;
    for (size_t i = 0; i < count; ++i) {
        positions += elements[i].n_pos;
    }
    return positions;
}

int64_t tokens_before(const std::vector<PromptElement>& elements, size_t count) {
    int64_t tokens = 0;
    for (size_t i = 0; i < count; ++i) {
        tokens += elements[i].n_tokens;
    }
    return tokens;
}

void add_to_batch(llama_batch& batch, llama_token token, llama_pos pos, llama_seq_id seq, bool logits) {
    const int32_t i = batch.n_tokens++;
    batch.token[i] = token;
    batch.pos[i] = pos;
    batch.n_seq_id[i] = 1;
    batch.seq_id[i][0] = seq;
    batch.logits[i] = logits ? 1 : 0;
}

}  // namespace

EngineResult LlamaEngine::run(const EngineRequest& request) {
    return std::move(run_batch({request}).front());
}

std::vector<EngineResult> LlamaEngine::run_batch(const std::vector<EngineRequest>& requests) {
    std::vector<Call> calls(requests.size());
    std::vector<size_t> pending;
    for (size_t i = 0; i < requests.size(); ++i) {
        calls[i].request = &requests[i];
        try {
            calls[i].prompt = tokenizer_->tokenize(requests[i]);
            check_context(calls[i].prompt.positions, requests[i]);
            pending.push_back(i);
        } catch (const EngineError& e) {
            calls[i].result.ok = false;
            calls[i].result.error = e.what();
        } catch (const ImageError& e) {
            calls[i].result.ok = false;
            calls[i].result.error = e.what();
        }
    }

    // Generation steps and prompt steps alternate, so that slots generating
    // short answers are not held up by a long prompt in another slot.
    bool last_step_was_prefill = false;
    while (true) {
        fill_free_slots(calls, pending);
        const bool prefill = any_call_in(CallPhase::Prefill);
        const bool generation = any_call_in(CallPhase::Generate);
        if (!prefill && !generation) {
            if (pending.empty()) {
                break;
            }
            continue;
        }
        if (generation && (!prefill || last_step_was_prefill)) {
            generation_step();
            last_step_was_prefill = false;
        } else {
            prefill_step();
            last_step_was_prefill = true;
        }
    }

    std::vector<EngineResult> results;
    results.reserve(calls.size());
    for (auto& call : calls) {
        results.push_back(std::move(call.result));
    }
    return results;
}

void LlamaEngine::check_context(int64_t positions, const EngineRequest& request) const {
    const int64_t needed = positions + std::max(0, request.max_new_tokens);
    if (needed > options_.context_size) {
        throw EngineError("the prompt needs " + std::to_string(positions) + " positions plus " +
                          std::to_string(request.max_new_tokens) + " new tokens, more than the context of " +
                          std::to_string(options_.context_size) + "; pass a larger --ctx-size");
    }
}

bool LlamaEngine::any_call_in(CallPhase phase) const {
    return std::any_of(slots_.begin(), slots_.end(),
                       [phase](const Slot& slot) { return slot.call != nullptr && slot.call->phase == phase; });
}

// Every free slot first continues its own chain, and only then do free
// slots take other calls (engine/slot_scheduler.hpp).
void LlamaEngine::fill_free_slots(std::vector<Call>& calls, std::vector<size_t>& pending) {
    for (const SlotChoice choice : {SlotChoice::ChainOnly, SlotChoice::Any}) {
        fill_free_slots(calls, pending, choice);
    }
}

void LlamaEngine::fill_free_slots(std::vector<Call>& calls, std::vector<size_t>& pending, SlotChoice choice) {
    for (Slot& slot : slots_) {
        while (slot.call == nullptr && !pending.empty()) {
            std::vector<const std::vector<PromptElement>*> waiting;
            for (const size_t index : pending) {
                waiting.push_back(&calls[index].prompt.elements);
            }
            std::vector<const std::vector<PromptElement>*> busy;
            for (const Slot& other : slots_) {
                if (other.call != nullptr) {
                    busy.push_back(&other.call->prompt.elements);
                }
            }
            const auto chosen = choose_next_call(waiting, slot.cached, busy, options_.prefix_cache, choice);
            if (!chosen) {
                break;
            }
            Call& call = calls[pending[*chosen]];
            pending.erase(pending.begin() + static_cast<std::ptrdiff_t>(*chosen));
            try {
                start_call(slot, call);
            } catch (const EngineError& e) {
                fail_call(slot, e.what());
            }
        }
    }
}

void LlamaEngine::start_call(Slot& slot, Call& call) {
    slot.call = &call;
    call.phase = CallPhase::Prefill;
    call.start = Clock::now();
    const LlamaPrompt& prompt = call.prompt;
    EngineResult& result = call.result;
    result.prompt_tokens = prompt.positions;
    result.image_chunks = prompt.image_chunks;
    result.image_tokens = prompt.image_tokens;
    result.images_encoded = prompt.images_in_prompt;

    // The minimum: what no earlier call of this engine has evaluated.
    std::vector<int64_t> ids;
    std::vector<int32_t> weights;
    for (const auto& element : prompt.elements) {
        ids.push_back(element.id);
        weights.push_back(element.n_tokens);
    }
    result.new_prompt_tokens = seen_prompts_.insert(ids, weights);
    for (size_t i = 0; i < prompt.elements.size(); ++i) {
        if (prompt.elements[i].is_image() && seen_image_chunks_.insert(prompt.image_keys[i]).second) {
            result.new_image_chunks += 1;
        }
    }

    const size_t reused = options_.prefix_cache ? reusable_prefix(prompt.elements, slot.cached) : 0;
    const llama_pos reused_positions = positions_before(prompt.elements, reused);
    if (!llama_memory_seq_rm(llama_get_memory(context_.get()), slot.seq, reused_positions, -1)) {
        throw EngineError("llama.cpp could not remove the end of sequence " + std::to_string(slot.seq) +
                          " from its KV cache");
    }
    slot.cached.resize(reused);
    slot.n_past = reused_positions;
    result.prompt_tokens_reused = tokens_before(prompt.elements, reused);
    call.next = reused;
}

void LlamaEngine::prefill_step() {
    // Images first: each is decoded in batches of its own.
    for (Slot& slot : slots_) {
        Call* call = slot.call;
        if (call != nullptr && call->phase == CallPhase::Prefill && call->prompt.elements[call->next].is_image()) {
            try {
                evaluate_image(slot);
            } catch (const EngineError& e) {
                fail_call(slot, e.what());
            } catch (const ImageError& e) {
                fail_call(slot, e.what());
            }
        }
    }

    std::vector<Slot*> text_slots;
    for (Slot& slot : slots_) {
        Call* call = slot.call;
        if (call != nullptr && call->phase == CallPhase::Prefill && !call->prompt.elements[call->next].is_image()) {
            text_slots.push_back(&slot);
        }
    }
    if (!text_slots.empty()) {
        evaluate_prompt_pieces(text_slots, static_cast<size_t>(ubatch_size_) / text_slots.size());
    }
}

// Tails go in batches of their own; grid pieces of all slots go in one
// batch, each slot contributing the same number of tokens, because
// llama.cpp splits a batch of several KV streams into micro-batches with
// equal tokens per stream and the piece sizes must survive that split.
void LlamaEngine::evaluate_prompt_pieces(const std::vector<Slot*>& slots, size_t max_grid_tokens) {
    std::vector<Slot*> grid;
    size_t grid_tokens = max_grid_tokens;
    for (Slot* slot : slots) {
        const Call& call = *slot->call;
        const TextPiece piece = next_text_piece(call.prompt.elements, call.next, max_grid_tokens);
        if (piece.batchable()) {
            grid.push_back(slot);
            grid_tokens = std::min(grid_tokens, piece.count);
            continue;
        }
        std::vector<TextPart> parts(1);
        parts[0].slot = slot;
        parts[0].piece = piece.piece;
        for (size_t i = 0; i < piece.count; ++i) {
            parts[0].tokens.push_back(static_cast<llama_token>(call.prompt.elements[piece.start + i].id));
        }
        evaluate_text(parts, false);
    }
    if (grid.empty()) {
        return;
    }
    grid_tokens = std::max<size_t>(kPieceGranule, grid_tokens / kPieceGranule * kPieceGranule);
    std::vector<TextPart> parts(grid.size());
    for (size_t p = 0; p < grid.size(); ++p) {
        const Call& call = *grid[p]->call;
        parts[p].slot = grid[p];
        parts[p].piece = PieceClass::Grid;
        for (size_t i = 0; i < grid_tokens; ++i) {
            parts[p].tokens.push_back(static_cast<llama_token>(call.prompt.elements[call.next + i].id));
        }
    }
    evaluate_text(parts, false);
}

// Evaluates prompt pieces (generation false) or generation steps (true) of
// several slots in one llama_decode call. A prompt piece starts at the
// slot's next element; a generation step re-evaluates the slot's last
// tokens.size() - 1 elements and then the pending token.
void LlamaEngine::evaluate_text(std::vector<TextPart>& parts, bool generation) {
    llama_memory_t memory = llama_get_memory(context_.get());
    batch_.n_tokens = 0;
    std::vector<int32_t> last_index(parts.size(), -1);
    for (size_t p = 0; p < parts.size(); ++p) {
        TextPart& part = parts[p];
        Slot& slot = *part.slot;
        const auto count = static_cast<int32_t>(part.tokens.size());
        if (generation) {
            part.first_pos = slot.n_past - (count - 1);
            if (!llama_memory_seq_rm(memory, slot.seq, part.first_pos, -1)) {
                throw EngineError("llama.cpp could not remove the end of sequence " + std::to_string(slot.seq) +
                                  " from its KV cache");
            }
            slot.cached.resize(slot.cached.size() - static_cast<size_t>(count - 1));
            part.outputs = count;
        } else {
            part.first_pos = slot.n_past;
            const bool ends_prompt = slot.call->next + part.tokens.size() == slot.call->prompt.elements.size();
            part.outputs = ends_prompt ? std::min(count, kPieceGranule) : 0;
        }
        for (int32_t i = 0; i < count; ++i) {
            add_to_batch(batch_, part.tokens[static_cast<size_t>(i)], part.first_pos + i, slot.seq,
                         i >= count - part.outputs);
        }
        last_index[p] = batch_.n_tokens - 1;
    }

    const auto start = Clock::now();
    const int32_t status = llama_decode(context_.get(), batch_);
    const double ms = elapsed_ms(start);
    for (size_t p = 0; p < parts.size(); ++p) {
        Slot& slot = *parts[p].slot;
        if (status != 0) {
            fail_call(slot, "llama.cpp failed to decode a batch (status " + std::to_string(status) + ")");
            continue;
        }
        Call& call = *slot.call;
        (generation ? call.result.generate_ms : call.result.prompt_eval_ms) += ms;
        for (const llama_token token : parts[p].tokens) {
            slot.cached.push_back({token, 1, 1, parts[p].piece});
        }
        const auto count = static_cast<llama_pos>(parts[p].tokens.size());
        if (generation) {
            slot.n_past += 1;
        } else {
            slot.n_past += count;
            call.next += parts[p].tokens.size();
            call.result.prompt_tokens_evaluated += count;
        }
        if (parts[p].outputs == 0) {
            continue;
        }
        const float* logits = llama_get_logits_ith(context_.get(), last_index[p]);
        if (logits == nullptr) {
            fail_call(slot, "llama.cpp returned no logits for the last token");
            continue;
        }
        if (generation) {
            choose_token(slot, logits);
        } else {
            finish_prompt(slot, logits);
        }
    }
}

void LlamaEngine::evaluate_image(Slot& slot) {
    Call& call = *slot.call;
    const size_t index = call.next;
    const PromptElement element = call.prompt.elements[index];
    // A copy: load_missing_pixels() replaces call.prompt.
    const std::string key = call.prompt.image_keys[index];

    const float* embedding = nullptr;
    if (const auto* cached = embedding_cache_.find(key)) {
        embedding = cached->data();
    } else {
        if (!call.prompt.has_pixels[index]) {
            load_missing_pixels(call);
        }
        const auto start = Clock::now();
        if (mtmd_encode_chunk(mtmd_.get(), call.prompt.chunks[index]) != 0) {
            throw EngineError("libmtmd failed to encode an image");
        }
        const float* output = mtmd_get_output_embd(mtmd_.get());
        call.result.image_encode_ms += elapsed_ms(start);
        call.result.image_encodes += 1;
        const size_t floats = static_cast<size_t>(element.n_tokens) * static_cast<size_t>(llama_model_n_embd_inp(model_.get()));
        embedding = output;
        if (embedding_cache_.insert(key, std::vector<float>(output, output + floats))) {
            embedding = embedding_cache_.find(key)->data();
        }
    }

    const auto start = Clock::now();
    llama_pos new_n_past = slot.n_past;
    // The helper only reads the embedding; its parameter is not const.
    if (mtmd_helper_decode_image_chunk(mtmd_.get(), context_.get(), call.prompt.chunks[index],
                                       const_cast<float*>(embedding), slot.n_past, slot.seq, options_.batch_size,
                                       &new_n_past, nullptr, nullptr) != 0) {
        throw EngineError("llama.cpp failed to decode the image embeddings");
    }
    call.result.prompt_eval_ms += elapsed_ms(start);
    call.result.prompt_tokens_evaluated += element.n_tokens;
    slot.cached.push_back(element);
    slot.n_past = new_n_past;
    call.next += 1;
}

// Tokenizes the call's prompt again with the pixels of every image that
// still has a chunk to evaluate whose embedding is not cached.
void LlamaEngine::load_missing_pixels(Call& call) {
    std::vector<bool> with_pixels(call.request->images.size(), false);
    for (size_t i = call.next; i < call.prompt.elements.size(); ++i) {
        if (call.prompt.elements[i].is_image() && !embedding_cache_.contains(call.prompt.image_keys[i])) {
            with_pixels[call.prompt.image_index[i]] = true;
        }
    }
    call.prompt = tokenizer_->tokenize_with_pixels(*call.request, with_pixels, call.prompt);
}

void LlamaEngine::generation_step() {
    std::vector<TextPart> grid;
    std::vector<Slot*> generating;
    for (Slot& slot : slots_) {
        if (slot.call != nullptr && slot.call->phase == CallPhase::Generate) {
            generating.push_back(&slot);
        }
    }
    for (Slot* slot : generating) {
        const size_t context = generation_context_tokens(slot->cached);
        TextPart part;
        part.slot = slot;
        for (size_t i = slot->cached.size() - context; i < slot->cached.size(); ++i) {
            part.tokens.push_back(static_cast<llama_token>(slot->cached[i].id));
        }
        part.tokens.push_back(slot->call->pending_token);
        if (part.tokens.size() == static_cast<size_t>(kPieceGranule)) {
            part.piece = PieceClass::Grid;
            grid.push_back(std::move(part));
        } else {
            part.piece = tail_class(part.tokens.size());
            std::vector<TextPart> alone{std::move(part)};
            evaluate_text(alone, true);
        }
    }
    if (!grid.empty()) {
        evaluate_text(grid, true);
    }
}

void LlamaEngine::finish_prompt(Slot& slot, const float* logits) {
    Call& call = *slot.call;
    const EngineRequest& request = *call.request;
    if (request.scoring == Scoring::ChoiceLogprob) {
        try {
            score_choices(call, logits);
        } catch (const EngineError& e) {
            fail_call(slot, e.what());
            return;
        }
        finish_call(slot);
        return;
    }
    if (request.max_new_tokens <= 0) {
        call.result.truncated = true;
        finish_call(slot);
        return;
    }
    choose_token(slot, logits);
}

// Greedy decoding: the most probable token, until an end-of-generation
// token or max_new_tokens. The last token chosen is never evaluated.
void LlamaEngine::choose_token(Slot& slot, const float* logits) {
    Call& call = *slot.call;
    const llama_token token = argmax_token(logits);
    if (llama_vocab_is_eog(vocab_, token)) {
        finish_call(slot);
        return;
    }
    call.generated_bytes += token_piece(token);
    call.result.generated_tokens += 1;
    if (call.result.generated_tokens >= call.request->max_new_tokens) {
        call.result.truncated = true;
        finish_call(slot);
        return;
    }
    call.pending_token = token;
    call.phase = CallPhase::Generate;
}

llama_token LlamaEngine::argmax_token(const float* logits) const {
    const int32_t count = llama_vocab_n_tokens(vocab_);
    llama_token best = 0;
    for (llama_token token = 1; token < count; ++token) {
        if (logits[token] > logits[best]) {
            best = token;
        }
    }
    return best;
}

// Log-probability of each letter, summing the probability of the bare
// letter token and the space-prefixed one, since tokenizers differ in
// which of the two follows "Final answer:".
void LlamaEngine::score_choices(Call& call, const float* logits) const {
    const int32_t count = llama_vocab_n_tokens(vocab_);
    const float max_logit = *std::max_element(logits, logits + count);
    double sum = 0;
    for (int32_t token = 0; token < count; ++token) {
        sum += std::exp(static_cast<double>(logits[token] - max_logit));
    }
    const double log_normalizer = max_logit + std::log(sum);

    EngineResult& result = call.result;
    for (const auto& letter : call.request->choice_letters) {
        std::vector<llama_token> tokens;
        for (const std::string& piece : {letter, " " + letter}) {
            const auto it = pieces_.find(piece);
            if (it != pieces_.end()) {
                tokens.insert(tokens.end(), it->second.begin(), it->second.end());
            }
        }
        if (tokens.empty()) {
            throw EngineError("the vocabulary has no single token for option letter '" + letter +
                              "' (with or without a leading space); use --scoring generate");
        }
        double probability = 0;
        for (const llama_token token : tokens) {
            probability += std::exp(static_cast<double>(logits[token]) - log_normalizer);
        }
        result.choice_logprobs[letter] = std::log(probability);
    }
    const auto best = std::max_element(result.choice_logprobs.begin(), result.choice_logprobs.end(),
                                       [](const auto& a, const auto& b) { return a.second < b.second; });
    result.text = best->first;
}

void LlamaEngine::finish_call(Slot& slot) {
    Call& call = *slot.call;
    if (call.request->scoring == Scoring::Generate) {
        call.result.text = sanitize_utf8(call.generated_bytes);
    }
    call.result.total_ms = elapsed_ms(call.start);
    call.phase = CallPhase::Done;
    slot.call = nullptr;
}

// A failed call leaves its slot empty: whatever the sequence held may be
// incomplete.
void LlamaEngine::fail_call(Slot& slot, const std::string& error) {
    Call& call = *slot.call;
    call.result.ok = false;
    call.result.error = error;
    call.result.total_ms = elapsed_ms(call.start);
    call.phase = CallPhase::Done;
    slot.call = nullptr;
    clear_slot(slot);
}

void LlamaEngine::clear_slot(Slot& slot) {
    llama_memory_seq_rm(llama_get_memory(context_.get()), slot.seq, -1, -1);
    slot.cached.clear();
    slot.n_past = 0;
}

}  // namespace medvlm
