#include "model/tiny_model.hpp"

#include <ggml.h>
#include <gguf.h>

#include <cmath>
#include <cstring>
#include <memory>
#include <string>
#include <vector>

#include "core/error.hpp"
#include "core/random.hpp"

namespace medvlm {
namespace {

struct Shape {
    // language model
    int n_embd, n_layer, n_head, n_head_kv, n_ff, n_ctx, n_vocab_min;
    // vision tower
    int image_size, patch_size, v_embd, v_ff, v_layer, v_head, scale_factor;
};

Shape shape_of(TinyModelShape shape) {
    if (shape == TinyModelShape::SmolVlm256M) {
        // SmolVLM-256M: a SmolLM2-135M decoder (576 wide, 30 layers, 9 query
        // and 3 key-value heads, vocabulary 49280) and a SigLIP base tower
        // (768 wide, 12 layers, 512-pixel tiles, pixel-shuffle factor 4).
        return {576, 30, 9, 3, 1536, 8192, 49280, 512, 16, 768, 3072, 12, 12, 4};
    }
    return {64, 2, 4, 2, 128, 8192, 0, 64, 16, 32, 64, 2, 2, 2};
}

struct GgmlContextDeleter {
    void operator()(ggml_context* context) const { ggml_free(context); }
};
struct GgufContextDeleter {
    void operator()(gguf_context* context) const { gguf_free(context); }
};

// Collects tensors for one GGUF file; each is filled from F32 values and
// stored as F32, F16 or Q8_0.
class GgufWriter {
public:
    GgufWriter(size_t data_bytes, TinyWeightType weight_type) : weight_type_(weight_type) {
        ggml_init_params params{data_bytes + 64 * 1024 * ggml_tensor_overhead(), nullptr, false};
        context_.reset(ggml_init(params));
        gguf_.reset(gguf_init_empty());
        if (!context_ || !gguf_) {
            throw Error("ggml failed to allocate memory for the tiny model");
        }
    }

    gguf_context* gguf() { return gguf_.get(); }

    // `matrix` tensors may be quantized; vectors, convolutions and position
    // tables stay F32 as llama.cpp's converters keep them.
    void add(const std::string& name, std::vector<int64_t> shape, const std::vector<float>& values, bool matrix) {
        ggml_type type = GGML_TYPE_F32;
        if (matrix && shape.size() == 2) {
            if (weight_type_ == TinyWeightType::F16) {
                type = GGML_TYPE_F16;
            } else if (weight_type_ == TinyWeightType::Q8_0 && shape[0] % 32 == 0) {
                type = GGML_TYPE_Q8_0;
            }
        }
        ggml_tensor* tensor = nullptr;
        switch (shape.size()) {
            case 1: tensor = ggml_new_tensor_1d(context_.get(), type, shape[0]); break;
            case 2: tensor = ggml_new_tensor_2d(context_.get(), type, shape[0], shape[1]); break;
            case 3: tensor = ggml_new_tensor_3d(context_.get(), type, shape[0], shape[1], shape[2]); break;
            default: tensor = ggml_new_tensor_4d(context_.get(), type, shape[0], shape[1], shape[2], shape[3]); break;
        }
        ggml_set_name(tensor, name.c_str());
        const int64_t count = ggml_nelements(tensor);
        if (static_cast<int64_t>(values.size()) != count) {
            throw Error("tiny model tensor " + name + " has the wrong number of values");
        }
        if (type == GGML_TYPE_F32) {
            std::memcpy(tensor->data, values.data(), values.size() * sizeof(float));
        } else if (type == GGML_TYPE_F16) {
            ggml_fp32_to_fp16_row(values.data(), static_cast<ggml_fp16_t*>(tensor->data), count);
        } else {
            ggml_quantize_chunk(type, values.data(), tensor->data, 0, shape[1], shape[0], nullptr);
        }
        gguf_add_tensor(gguf_.get(), tensor);
    }

    void write(const std::filesystem::path& path) {
        if (!gguf_write_to_file(gguf_.get(), path.string().c_str(), false)) {
            throw Error(path.string() + ": cannot write the GGUF file");
        }
    }

private:
    TinyWeightType weight_type_;
    std::unique_ptr<ggml_context, GgmlContextDeleter> context_;
    std::unique_ptr<gguf_context, GgufContextDeleter> gguf_;
};

std::vector<float> random_values(SplitMix64& random, size_t count, float scale) {
    std::vector<float> values(count);
    for (auto& value : values) {
        value = random.uniform_signed() * scale;
    }
    return values;
}

std::vector<float> constant_values(size_t count, float value) { return std::vector<float>(count, value); }

// GPT-2's byte-to-unicode table: printable bytes map to themselves, the
// rest to code points from U+0100 on.
std::vector<std::string> byte_level_pieces() {
    std::vector<int> printable;
    for (int b = '!'; b <= '~'; ++b) printable.push_back(b);
    for (int b = 0xA1; b <= 0xAC; ++b) printable.push_back(b);
    for (int b = 0xAE; b <= 0xFF; ++b) printable.push_back(b);
    std::vector<int> code_point(256, -1);
    for (int b : printable) code_point[static_cast<size_t>(b)] = b;
    int next = 256;
    for (int b = 0; b < 256; ++b) {
        if (code_point[static_cast<size_t>(b)] < 0) code_point[static_cast<size_t>(b)] = next++;
    }
    std::vector<std::string> pieces;
    for (int b = 0; b < 256; ++b) {
        const int c = code_point[static_cast<size_t>(b)];
        std::string utf8;
        if (c < 0x80) {
            utf8.push_back(static_cast<char>(c));
        } else {
            utf8.push_back(static_cast<char>(0xC0 | (c >> 6)));
            utf8.push_back(static_cast<char>(0x80 | (c & 0x3F)));
        }
        pieces.push_back(utf8);
    }
    return pieces;
}

struct Vocabulary {
    std::vector<std::string> tokens;
    std::vector<int32_t> types;
    std::vector<bool> generable;  // false: masked out of generation
    std::vector<std::string> merges;
    int32_t bos = 1;
    int32_t eos = 2;
};

constexpr int32_t kNormal = 1;
constexpr int32_t kControl = 3;
constexpr int32_t kUserDefined = 4;

Vocabulary build_vocabulary(int minimum_size) {
    Vocabulary vocab;
    const auto add = [&vocab](const std::string& text, int32_t type, bool generable) {
        vocab.tokens.push_back(text);
        vocab.types.push_back(type);
        vocab.generable.push_back(generable);
    };
    add("<|endoftext|>", kControl, false);
    add("<|im_start|>", kControl, false);
    add("<end_of_utterance>", kControl, true);
    add("<fake_token_around_image>", kUserDefined, false);
    add("<global-img>", kUserDefined, false);
    add("<image>", kUserDefined, false);

    const auto pieces = byte_level_pieces();
    for (int b = 0; b < 256; ++b) {
        const bool printable = (b >= 0x20 && b <= 0x7E) || b == '\n';
        add(pieces[static_cast<size_t>(b)], kNormal, printable);
    }
    // "\n\n" is a token libmtmd looks up for idefics3; " A".." Z" let choice
    // scoring find space-prefixed letters. No merge produces them, so text is
    // tokenized byte by byte wherever it is cut.
    add(pieces['\n'] + pieces['\n'], kNormal, true);
    for (char letter = 'A'; letter <= 'Z'; ++letter) {
        add(pieces[' '] + std::string(1, letter), kNormal, true);
    }
    // llama.cpp requires at least one merge; this one joins bytes 0x00 and
    // 0x01, which benchmark text never contains.
    vocab.merges.push_back(pieces[0] + " " + pieces[1]);
    add(pieces[0] + pieces[1], kNormal, false);

    int filler = 0;
    while (static_cast<int>(vocab.tokens.size()) < minimum_size) {
        add("<unused_" + std::to_string(filler++) + ">", kControl, false);
    }
    return vocab;
}

// Renders exactly what llama.cpp's built-in "smolvlm" template renders, so
// the in-process engine and llama-server with --jinja see the same prompt.
constexpr const char* kChatTemplate =
    "<|im_start|>{% for message in messages %}"
    "{% if message['role'] == 'system' %}{{ message['content'] }}\n\n"
    "{% elif message['role'] == 'user' %}User: {{ message['content'] }}<end_of_utterance>\n"
    "{% else %}Assistant: {{ message['content'] }}<end_of_utterance>\n"
    "{% endif %}{% endfor %}"
    "{% if add_generation_prompt %}Assistant:{% endif %}";

void set_string_array(gguf_context* gguf, const char* key, const std::vector<std::string>& values) {
    std::vector<const char*> pointers;
    pointers.reserve(values.size());
    for (const auto& value : values) {
        pointers.push_back(value.c_str());
    }
    gguf_set_arr_str(gguf, key, pointers.data(), pointers.size());
}

void write_language_model(const std::filesystem::path& path, const Shape& s, const TinyModelOptions& options) {
    const Vocabulary vocab = build_vocabulary(s.n_vocab_min);
    const auto n_vocab = static_cast<int64_t>(vocab.tokens.size());
    const int64_t head_dim = s.n_embd / s.n_head;
    const int64_t kv_dim = head_dim * s.n_head_kv;

    const size_t params = static_cast<size_t>(2 * n_vocab * s.n_embd +
                                              s.n_layer * (2 * s.n_embd * s.n_embd + 2 * s.n_embd * kv_dim +
                                                           3 * s.n_embd * s.n_ff + 2 * s.n_embd) +
                                              s.n_embd);
    GgufWriter writer(params * sizeof(float) + (1 << 20), options.weight_type);
    gguf_context* gguf = writer.gguf();

    gguf_set_val_str(gguf, "general.architecture", "llama");
    gguf_set_val_str(gguf, "general.name", "medvlm random-weight test model");
    gguf_set_val_bool(gguf, "medvlm.test_model", true);
    gguf_set_val_u64(gguf, "medvlm.seed", options.seed);
    gguf_set_val_u32(gguf, "llama.context_length", static_cast<uint32_t>(s.n_ctx));
    gguf_set_val_u32(gguf, "llama.embedding_length", static_cast<uint32_t>(s.n_embd));
    gguf_set_val_u32(gguf, "llama.block_count", static_cast<uint32_t>(s.n_layer));
    gguf_set_val_u32(gguf, "llama.feed_forward_length", static_cast<uint32_t>(s.n_ff));
    gguf_set_val_u32(gguf, "llama.attention.head_count", static_cast<uint32_t>(s.n_head));
    gguf_set_val_u32(gguf, "llama.attention.head_count_kv", static_cast<uint32_t>(s.n_head_kv));
    gguf_set_val_f32(gguf, "llama.attention.layer_norm_rms_epsilon", 1e-5f);
    gguf_set_val_f32(gguf, "llama.rope.freq_base", 10000.0f);
    gguf_set_val_u32(gguf, "llama.rope.dimension_count", static_cast<uint32_t>(head_dim));
    gguf_set_val_u32(gguf, "llama.vocab_size", static_cast<uint32_t>(n_vocab));

    gguf_set_val_str(gguf, "tokenizer.ggml.model", "gpt2");
    gguf_set_val_str(gguf, "tokenizer.ggml.pre", "default");
    set_string_array(gguf, "tokenizer.ggml.tokens", vocab.tokens);
    gguf_set_arr_data(gguf, "tokenizer.ggml.token_type", GGUF_TYPE_INT32, vocab.types.data(), vocab.types.size());
    set_string_array(gguf, "tokenizer.ggml.merges", vocab.merges);
    gguf_set_val_u32(gguf, "tokenizer.ggml.bos_token_id", static_cast<uint32_t>(vocab.bos));
    gguf_set_val_u32(gguf, "tokenizer.ggml.eos_token_id", static_cast<uint32_t>(vocab.eos));
    gguf_set_val_u32(gguf, "tokenizer.ggml.padding_token_id", 0);
    gguf_set_val_bool(gguf, "tokenizer.ggml.add_bos_token", false);
    gguf_set_val_bool(gguf, "tokenizer.ggml.add_eos_token", false);
    gguf_set_val_str(gguf, "tokenizer.chat_template", kChatTemplate);

    SplitMix64 random(options.seed * 2 + 1);
    const auto n = static_cast<size_t>(s.n_embd);
    const float kGuard = 4.0f;  // embedding dimension 0, see the header comment
    const float kAttentionGain = 4.0f;

    std::vector<float> embeddings = random_values(random, n * static_cast<size_t>(n_vocab), 1.0f);
    for (int64_t t = 0; t < n_vocab; ++t) {
        embeddings[static_cast<size_t>(t) * n] = kGuard;
    }
    writer.add("token_embd.weight", {s.n_embd, n_vocab}, embeddings, true);

    const float scale_in = 1.0f / std::sqrt(static_cast<float>(s.n_embd));
    const float scale_ff = 1.0f / std::sqrt(static_cast<float>(s.n_ff));
    for (int layer = 0; layer < s.n_layer; ++layer) {
        const std::string prefix = "blk." + std::to_string(layer) + ".";
        writer.add(prefix + "attn_norm.weight", {s.n_embd}, constant_values(n, 1.0f), false);
        // Large query and key weights give peaked attention, so the output
        // depends on the image and the question instead of only on the
        // last few template tokens.
        writer.add(prefix + "attn_q.weight", {s.n_embd, s.n_embd}, random_values(random, n * n, kAttentionGain * scale_in),
                   true);
        writer.add(prefix + "attn_k.weight", {s.n_embd, kv_dim},
                   random_values(random, n * static_cast<size_t>(kv_dim), kAttentionGain * scale_in), true);
        writer.add(prefix + "attn_v.weight", {s.n_embd, kv_dim},
                   random_values(random, n * static_cast<size_t>(kv_dim), scale_in), true);
        auto attn_output = random_values(random, n * n, scale_in);
        std::fill(attn_output.begin(), attn_output.begin() + static_cast<long>(n), 0.0f);  // never write dimension 0
        writer.add(prefix + "attn_output.weight", {s.n_embd, s.n_embd}, attn_output, true);
        writer.add(prefix + "ffn_norm.weight", {s.n_embd}, constant_values(n, 1.0f), false);
        const auto ff = static_cast<size_t>(s.n_ff);
        writer.add(prefix + "ffn_gate.weight", {s.n_embd, s.n_ff}, random_values(random, n * ff, scale_in), true);
        writer.add(prefix + "ffn_up.weight", {s.n_embd, s.n_ff}, random_values(random, n * ff, scale_in), true);
        auto ffn_down = random_values(random, ff * n, scale_ff);
        std::fill(ffn_down.begin(), ffn_down.begin() + static_cast<long>(ff), 0.0f);
        writer.add(prefix + "ffn_down.weight", {s.n_ff, s.n_embd}, ffn_down, true);
    }
    writer.add("output_norm.weight", {s.n_embd}, constant_values(n, 1.0f), false);

    std::vector<float> output = random_values(random, n * static_cast<size_t>(n_vocab), scale_in);
    for (int64_t t = 0; t < n_vocab; ++t) {
        float* row = output.data() + static_cast<size_t>(t) * n;
        if (vocab.generable[static_cast<size_t>(t)]) {
            row[0] = 0.0f;
        } else {
            std::fill(row, row + n, 0.0f);
            row[0] = -50.0f;
        }
    }
    writer.add("output.weight", {s.n_embd, n_vocab}, output, true);
    writer.write(path);
}

void write_projector(const std::filesystem::path& path, const Shape& s, const TinyModelOptions& options) {
    const int64_t d = s.v_embd;
    const int64_t p = s.patch_size;
    const int64_t patches = (s.image_size / s.patch_size) * (s.image_size / s.patch_size);
    const int64_t merged = d * s.scale_factor * s.scale_factor;
    const size_t params = static_cast<size_t>(p * p * 3 * d + d * patches +
                                              s.v_layer * (4 * d * d + 2 * d * s.v_ff + 10 * d + s.v_ff) +
                                              merged * s.n_embd + 4 * d);
    GgufWriter writer(params * sizeof(float) + (1 << 20), options.weight_type);
    gguf_context* gguf = writer.gguf();

    gguf_set_val_str(gguf, "general.architecture", "clip");
    gguf_set_val_str(gguf, "general.name", "medvlm random-weight test projector");
    gguf_set_val_bool(gguf, "medvlm.test_model", true);
    gguf_set_val_u64(gguf, "medvlm.seed", options.seed);
    gguf_set_val_str(gguf, "clip.projector_type", "idefics3");
    gguf_set_val_bool(gguf, "clip.has_vision_encoder", true);
    gguf_set_val_bool(gguf, "clip.use_gelu", true);
    gguf_set_val_u32(gguf, "clip.vision.image_size", static_cast<uint32_t>(s.image_size));
    gguf_set_val_u32(gguf, "clip.vision.patch_size", static_cast<uint32_t>(s.patch_size));
    gguf_set_val_u32(gguf, "clip.vision.embedding_length", static_cast<uint32_t>(d));
    gguf_set_val_u32(gguf, "clip.vision.feed_forward_length", static_cast<uint32_t>(s.v_ff));
    gguf_set_val_u32(gguf, "clip.vision.block_count", static_cast<uint32_t>(s.v_layer));
    gguf_set_val_u32(gguf, "clip.vision.attention.head_count", static_cast<uint32_t>(s.v_head));
    gguf_set_val_f32(gguf, "clip.vision.attention.layer_norm_epsilon", 1e-6f);
    gguf_set_val_u32(gguf, "clip.vision.projection_dim", static_cast<uint32_t>(s.n_embd));
    gguf_set_val_u32(gguf, "clip.vision.projector.scale_factor", static_cast<uint32_t>(s.scale_factor));
    gguf_set_val_u32(gguf, "clip.vision.preproc_image_size", static_cast<uint32_t>(s.image_size));
    const float half[3] = {0.5f, 0.5f, 0.5f};
    gguf_set_arr_data(gguf, "clip.vision.image_mean", GGUF_TYPE_FLOAT32, half, 3);
    gguf_set_arr_data(gguf, "clip.vision.image_std", GGUF_TYPE_FLOAT32, half, 3);

    SplitMix64 random(options.seed * 2 + 2);
    const auto dz = static_cast<size_t>(d);
    const auto ff = static_cast<size_t>(s.v_ff);
    const float scale_patch = 1.0f / std::sqrt(static_cast<float>(p * p * 3));
    const float scale_d = 1.0f / std::sqrt(static_cast<float>(d));
    const float scale_ff = 1.0f / std::sqrt(static_cast<float>(s.v_ff));

    writer.add("v.patch_embd.weight", {p, p, 3, d}, random_values(random, static_cast<size_t>(p * p * 3) * dz, scale_patch),
               false);
    writer.add("v.patch_embd.bias", {d}, random_values(random, dz, 0.02f), false);
    writer.add("v.position_embd.weight", {d, patches}, random_values(random, dz * static_cast<size_t>(patches), 0.1f),
               false);
    for (int layer = 0; layer < s.v_layer; ++layer) {
        const std::string prefix = "v.blk." + std::to_string(layer) + ".";
        for (const char* norm : {"ln1", "ln2"}) {
            writer.add(prefix + norm + ".weight", {d}, constant_values(dz, 1.0f), false);
            writer.add(prefix + norm + ".bias", {d}, constant_values(dz, 0.0f), false);
        }
        for (const char* projection : {"attn_q", "attn_k", "attn_v", "attn_out"}) {
            writer.add(prefix + projection + ".weight", {d, d}, random_values(random, dz * dz, scale_d), true);
            writer.add(prefix + projection + ".bias", {d}, random_values(random, dz, 0.02f), false);
        }
        writer.add(prefix + "ffn_up.weight", {d, s.v_ff}, random_values(random, dz * ff, scale_d), true);
        writer.add(prefix + "ffn_up.bias", {s.v_ff}, random_values(random, ff, 0.02f), false);
        writer.add(prefix + "ffn_down.weight", {s.v_ff, d}, random_values(random, ff * dz, scale_ff), true);
        writer.add(prefix + "ffn_down.bias", {d}, random_values(random, dz, 0.02f), false);
    }
    writer.add("v.post_ln.weight", {d}, constant_values(dz, 1.0f), false);
    writer.add("v.post_ln.bias", {d}, constant_values(dz, 0.0f), false);
    writer.add("mm.model.fc.weight", {merged, s.n_embd},
               random_values(random, static_cast<size_t>(merged * s.n_embd), 1.0f / std::sqrt(static_cast<float>(merged))),
               true);
    writer.write(path);
}

}  // namespace

TinyModelShape parse_tiny_model_shape(const std::string& name) {
    if (name == "tiny") {
        return TinyModelShape::Tiny;
    }
    if (name == "smolvlm-256m") {
        return TinyModelShape::SmolVlm256M;
    }
    throw InputError("unknown --shape '" + name + "'; expected tiny or smolvlm-256m");
}

TinyWeightType parse_tiny_weight_type(const std::string& name) {
    if (name == "f32") {
        return TinyWeightType::F32;
    }
    if (name == "f16") {
        return TinyWeightType::F16;
    }
    if (name == "q8_0") {
        return TinyWeightType::Q8_0;
    }
    throw InputError("unknown --weight-type '" + name + "'; expected f32, f16 or q8_0");
}

TinyModelFiles write_tiny_model(const TinyModelOptions& options) {
    std::error_code ec;
    std::filesystem::create_directories(options.out_dir, ec);
    if (ec) {
        throw InputError(options.out_dir.string() + ": cannot create the output directory (" + ec.message() + ")");
    }
    const Shape shape = shape_of(options.shape);
    TinyModelFiles files{options.out_dir / "model.gguf", options.out_dir / "mmproj.gguf"};
    write_language_model(files.model, shape, options);
    write_projector(files.mmproj, shape, options);
    return files;
}

}  // namespace medvlm
