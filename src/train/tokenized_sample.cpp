#include "train/tokenized_sample.hpp"

#include <ggml-backend.h>
#include <ggml.h>

#include <cmath>
#include <limits>

#include "core/error.hpp"

namespace medvlm {

SampleShape TokenizedSample::shape() const {
    SampleShape shape;
    shape.tokens = static_cast<int64_t>(token_ids.size());
    shape.answer = static_cast<int64_t>(labels.size());
    shape.tiles = std::max<int64_t>(1, static_cast<int64_t>(tiles.size()));
    return shape;
}

TokenizedSample make_tokenized_sample(const std::string& id, const TokenizedConversation& conversation,
                                    const std::vector<std::string>& image_sha256,
                                    const std::vector<std::filesystem::path>& image_paths, int64_t tokens_per_tile) {
    TokenizedSample sample;
    sample.id = id;
    sample.image_sha256 = image_sha256;
    sample.image_paths = image_paths;
    sample.tiles_per_image.assign(image_sha256.size(), 0);

    const auto append = [&sample](int32_t token, int32_t image_row, bool is_image) {
        sample.token_ids.push_back(token);
        sample.image_rows.push_back(image_row);
        sample.text_mask.push_back(is_image ? 0.0f : 1.0f);
        sample.image_mask.push_back(is_image ? 1.0f : 0.0f);
    };

    for (const auto& chunk : conversation.prompt) {
        if (chunk.kind == ConversationChunk::Kind::Text) {
            for (const int32_t token : chunk.tokens) {
                append(token, 0, false);
            }
            continue;
        }
        if (chunk.positions != tokens_per_tile) {
            throw InputError("record " + id + ": libmtmd gives an image tile " + std::to_string(chunk.positions) +
                             " positions but the vision tower yields " + std::to_string(tokens_per_tile) +
                             " per tile; the projector's preprocessing is not one the trainer reproduces");
        }
        const auto first_row = static_cast<int32_t>(sample.tiles.size() * static_cast<size_t>(tokens_per_tile));
        for (int64_t i = 0; i < chunk.positions; ++i) {
            append(0, first_row + static_cast<int32_t>(i), true);
        }
        sample.tiles.push_back({chunk.image_index, chunk.tile_index});
        sample.tiles_per_image.at(chunk.image_index) += 1;
    }
    if (sample.token_ids.empty() || sample.text_mask.back() == 0.0f) {
        throw InputError("record " + id + ": the prompt must end with text (the generation prompt)");
    }

    const auto prompt_length = static_cast<int32_t>(sample.token_ids.size());
    sample.labels = conversation.answer;
    for (size_t i = 0; i + 1 < sample.labels.size(); ++i) {
        append(sample.labels[i], 0, false);
    }
    for (size_t i = 0; i < sample.labels.size(); ++i) {
        sample.output_rows.push_back(prompt_length - 1 + static_cast<int32_t>(i));
    }
    return sample;
}

void fill_sample_inputs(const SampleGraph& graph, const TokenizedSample& sample, const std::vector<float>& vision_values) {
    const auto set = [](ggml_tensor* tensor, const void* data, size_t bytes) {
        if (bytes != ggml_nbytes(tensor)) {
            throw Error(std::string("input ") + tensor->name + " expects " + std::to_string(ggml_nbytes(tensor)) +
                        " bytes, got " + std::to_string(bytes));
        }
        ggml_backend_tensor_set(tensor, data, 0, bytes);
    };
    const size_t tokens = sample.token_ids.size();
    std::vector<int32_t> positions(tokens);
    for (size_t i = 0; i < tokens; ++i) {
        positions[i] = static_cast<int32_t>(i);
    }
    // Causal mask: query row q attends to keys 0..q.
    std::vector<float> mask(tokens * tokens, -std::numeric_limits<float>::infinity());
    for (size_t q = 0; q < tokens; ++q) {
        std::fill(mask.begin() + static_cast<long>(q * tokens), mask.begin() + static_cast<long>(q * tokens + q + 1), 0.0f);
    }

    set(graph.token_ids, sample.token_ids.data(), tokens * sizeof(int32_t));
    set(graph.positions, positions.data(), tokens * sizeof(int32_t));
    set(graph.text_mask, sample.text_mask.data(), tokens * sizeof(float));
    set(graph.image_mask, sample.image_mask.data(), tokens * sizeof(float));
    set(graph.image_rows, sample.image_rows.data(), tokens * sizeof(int32_t));
    set(graph.attention_mask, mask.data(), mask.size() * sizeof(float));
    set(graph.output_rows, sample.output_rows.data(), sample.output_rows.size() * sizeof(int32_t));
    set(graph.vision_input, vision_values.data(), vision_values.size() * sizeof(float));
}

}  // namespace medvlm
