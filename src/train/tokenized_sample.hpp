#pragma once
// One training sample laid out for the trainer's graph: the token sequence
// libmtmd and libllama would feed for the same conversation, with each image
// tile's embedding positions marked, and the positions whose logits predict
// the answer tokens (the only ones with a loss).

#include <cstdint>
#include <string>
#include <vector>

#include "engine/conversation_tokenizer.hpp"
#include "train/model_graph.hpp"

namespace medvlm {

struct TileRef {
    size_t image = 0;  // index into the sample's images
    size_t tile = 0;   // index among that image's tiles, in prompt order
};

struct TokenizedSample {
    std::string id;
    std::vector<std::string> image_sha256;
    std::vector<std::filesystem::path> image_paths;
    std::vector<size_t> tiles_per_image;
    std::vector<TileRef> tiles;  // prompt order; tile k fills embedding rows [k * tokens_per_tile, ...)

    // Fed positions: the prompt, then every answer token but the last.
    std::vector<int32_t> token_ids;   // 0 at image positions
    std::vector<int32_t> image_rows;  // embedding row at image positions, 0 elsewhere
    std::vector<float> text_mask;
    std::vector<float> image_mask;
    std::vector<int32_t> output_rows;  // the position before each answer token
    std::vector<int32_t> labels;       // the answer tokens

    [[nodiscard]] SampleShape shape() const;
    [[nodiscard]] int64_t prompt_length() const { return static_cast<int64_t>(token_ids.size() + 1 - labels.size()); }
};

// Throws InputError when an image's chunks do not have `tokens_per_tile`
// positions each, which means libmtmd lays the image out differently from
// the trainer's graph.
[[nodiscard]] TokenizedSample make_tokenized_sample(const std::string& id, const TokenizedConversation& conversation,
                                                  const std::vector<std::string>& image_sha256,
                                                  const std::vector<std::filesystem::path>& image_paths,
                                                  int64_t tokens_per_tile);

// Copies the sample into the graph's input tensors once they are allocated;
// `vision_values` contains the cut activations of every tile in order (zeros
// for the unused tile of a sample without images).
void fill_sample_inputs(const SampleGraph& graph, const TokenizedSample& sample, const std::vector<float>& vision_values);

}  // namespace medvlm
