#pragma once
// The in-process engine's class, shared by llama_engine.cpp (loading the
// model and describing it) and llama_engine_calls.cpp (running calls in
// sequence slots). Not part of medvlm's interface: use make_llama_engine().

#include <chrono>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include <llama-cpp.h>
#include <llama.h>
#include <mtmd.h>

#include "engine/image_embedding_cache.hpp"
#include "engine/llama_engine.hpp"
#include "engine/llama_prompt.hpp"
#include "engine/prefix_tree.hpp"
#include "engine/slot_scheduler.hpp"

namespace medvlm {

class LlamaEngine final : public Engine {
public:
    explicit LlamaEngine(const LlamaEngineOptions& options);
    ~LlamaEngine() override;

    [[nodiscard]] nlohmann::json describe() const override;
    [[nodiscard]] nlohmann::json describe_execution() const override;
    [[nodiscard]] bool supports_choice_logprob() const override { return true; }
    [[nodiscard]] EngineResult run(const EngineRequest& request) override;
    [[nodiscard]] std::vector<EngineResult> run_batch(const std::vector<EngineRequest>& requests) override;
    [[nodiscard]] size_t preferred_batch_size() const override;

private:
    using Clock = std::chrono::steady_clock;

    enum class CallPhase { Waiting, Prefill, Generate, Done };

    struct Call {
        const EngineRequest* request = nullptr;
        LlamaPrompt prompt;
        EngineResult result;
        CallPhase phase = CallPhase::Waiting;
        size_t next = 0;  // the next prompt element to evaluate
        Clock::time_point start;
        llama_token pending_token = -1;  // generated, not yet evaluated
        std::string generated_bytes;
    };

    // One llama.cpp sequence with its own KV stream, whose cells hold the
    // elements of `cached` at positions 0..n_past-1, in order.
    struct Slot {
        llama_seq_id seq = 0;
        std::vector<PromptElement> cached;
        llama_pos n_past = 0;
        Call* call = nullptr;
    };

    // One slot's tokens in a text batch and the piece class they form.
    struct TextPart {
        Slot* slot = nullptr;
        std::vector<llama_token> tokens;
        llama_pos first_pos = 0;
        PieceClass piece = PieceClass::Grid;
        int outputs = 0;  // logits for this many of the last tokens
    };

    // Loading (llama_engine.cpp).
    void load_model();
    void load_adapters();
    void create_context();
    void load_projector();
    void resolve_chat_template();
    void index_vocabulary();
    [[nodiscard]] bool is_test_model() const;
    [[nodiscard]] std::string token_piece(llama_token token) const;

    // Calls (llama_engine_calls.cpp).
    void check_context(int64_t positions, const EngineRequest& request) const;
    void fill_free_slots(std::vector<Call>& calls, std::vector<size_t>& pending);
    void fill_free_slots(std::vector<Call>& calls, std::vector<size_t>& pending, SlotChoice choice);
    void start_call(Slot& slot, Call& call);
    void prefill_step();
    void generation_step();
    void evaluate_image(Slot& slot);
    void load_missing_pixels(Call& call);
    void evaluate_prompt_pieces(const std::vector<Slot*>& slots, size_t max_grid_tokens);
    void evaluate_text(std::vector<TextPart>& parts, bool generation);
    void finish_prompt(Slot& slot, const float* logits);
    void choose_token(Slot& slot, const float* logits);
    void score_choices(Call& call, const float* logits) const;
    [[nodiscard]] llama_token argmax_token(const float* logits) const;
    void finish_call(Slot& slot);
    void fail_call(Slot& slot, const std::string& error);
    void clear_slot(Slot& slot);
    [[nodiscard]] bool any_call_in(CallPhase phase) const;

    LlamaEngineOptions options_;
    llama_model_ptr model_;
    llama_context_ptr context_;
    mtmd::context_ptr mtmd_;
    std::vector<llama_adapter_lora_ptr> adapters_;
    std::vector<std::string> adapter_sha256_;
    const llama_vocab* vocab_ = nullptr;
    std::string chat_template_;
    std::string model_sha256_;
    std::string mmproj_sha256_;
    std::unordered_map<std::string, std::vector<llama_token>> pieces_;
    int threads_ = 1;
    int ubatch_size_ = 512;

    std::unique_ptr<PromptTokenizer> tokenizer_;
    ImageEmbeddingCache embedding_cache_;
    std::vector<Slot> slots_;
    llama_batch batch_{};
    // What this engine has seen, for the minimum-work counters.
    PrefixTree seen_prompts_;
    std::unordered_set<std::string> seen_image_chunks_;
};

}  // namespace medvlm
