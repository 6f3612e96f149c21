#include "train/training_session.hpp"

#include <ggml-alloc.h>
#include <ggml-backend.h>
#include <ggml-cpu.h>
#include <ggml.h>

#include <map>
#include <set>
#include <thread>

#include <spdlog/spdlog.h>

#include "core/error.hpp"
#include "core/sha256.hpp"
#include "train/image_tiles.hpp"

namespace medvlm {
namespace {

struct ContextDeleter {
    void operator()(ggml_context* context) const { ggml_free(context); }
};
using ContextPtr = std::unique_ptr<ggml_context, ContextDeleter>;

ContextPtr make_graph_context() {
    const size_t bytes = kMaxGraphNodes * ggml_tensor_overhead() * 2 + ggml_graph_overhead_custom(kMaxGraphNodes, true);
    ggml_init_params params{bytes, nullptr, true};
    ContextPtr context(ggml_init(params));
    if (!context) {
        throw Error("ggml failed to create a graph context");
    }
    return context;
}

std::string cut_key(const ModelGraph& graph, const SessionOptions& options) {
    switch (graph.cut()) {
        case VisionCut::ProjectorOutput: return "projector-output";
        case VisionCut::TowerOutput: return "tower-output";
        case VisionCut::BlockInput: return "block-input-last" + std::to_string(options.late_vision_blocks);
    }
    return "unknown";
}

std::vector<LoraTarget> lora_targets(const ModelConfig& config, const SessionOptions& options) {
    std::vector<LoraTarget> targets = language_lora_targets(config);
    if (options.variant != Variant::A) {
        const auto projector = projector_lora_targets(config);
        targets.insert(targets.end(), projector.begin(), projector.end());
    }
    if (options.variant == Variant::C) {
        const auto vision = vision_lora_targets(config, options.late_vision_blocks);
        targets.insert(targets.end(), vision.begin(), vision.end());
    }
    return targets;
}

}  // namespace

TrainingSession::TrainingSession(const SessionOptions& options)
    : options_(options), model_(options.model), mmproj_(options.mmproj) {
    config_ = read_model_config(model_, mmproj_);
    if (options.alpha <= 0) {
        throw InputError("--alpha must be positive, got " + std::to_string(options.alpha));
    }
    model_sha256_ = sha256_file(options.model);
    mmproj_sha256_ = sha256_file(options.mmproj);

    threads_ = options.threads > 0 ? options.threads : static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
    lora_ = std::make_unique<LoraParameters>(lora_targets(config_, options), options.rank, options.alpha);
    lora_->initialize(options.seed);
    const GraphSettings settings{options.variant, options.late_vision_blocks, options.attention_chunk_bytes};
    graph_ = std::make_unique<ModelGraph>(config_, model_, mmproj_, *lora_, backward_, settings);

    model_.load([](const std::string&) { return true; });
    load_trainable_weights();
    std::vector<const ggml_tensor*> backward_sources;
    for (const auto& name : graph_->backward_matrices()) {
        const bool language = name.rfind("blk.", 0) == 0;
        // Vision copies are small but carry every patch of every tile, so
        // they stay even when memory is short.
        if (language && !options.f32_backward_weights) {
            continue;
        }
        backward_sources.push_back(language ? model_.tensor(name) : mmproj_.tensor(name));
    }
    backward_.build(backward_sources);

    if (!options.chat_template.empty()) {
        chat_template_ = options.chat_template;
    } else if (const auto stored = model_.optional_string("tokenizer.chat_template")) {
        chat_template_ = *stored;
    } else {
        throw InputError(options.model.string() + ": the model file has no chat template; pass --chat-template NAME "
                         "(a llama.cpp built-in such as chatml or smolvlm)");
    }
    cache_ = std::make_unique<VisionCache>(options.cache_dir, mmproj_sha256_.substr(0, 16) + "-" + cut_key(*graph_, options),
                                           graph_->cut_values_per_tile());

    backend_ = ggml_backend_cpu_init();
    if (backend_ == nullptr) {
        throw Error("ggml failed to initialize the CPU backend");
    }
    ggml_backend_cpu_set_n_threads(backend_, threads_);
    allocator_ = ggml_gallocr_new(ggml_backend_cpu_buffer_type());
}

TrainingSession::~TrainingSession() {
    if (allocator_ != nullptr) {
        ggml_gallocr_free(allocator_);
    }
    if (backend_ != nullptr) {
        ggml_backend_free(backend_);
    }
}

const std::string& TrainingSession::chat_template() const { return chat_template_; }

void TrainingSession::load_trainable_weights() {
    mmproj_.load([this](const std::string& name) { return graph_->trainable_vision_tensor(name); });
}

std::vector<TokenizedSample> TrainingSession::prepare_samples(const std::vector<TrainingRecord>& records) {
    const ConversationTokenizer tokenizer(ConversationTokenizerOptions{options_.model, options_.mmproj, chat_template_});
    std::map<std::filesystem::path, ImageSize> sizes;
    std::vector<TokenizedSample> samples;
    samples.reserve(records.size());
    for (const auto& record : records) {
        EngineRequest request;
        request.user_text = record.prompt;
        std::vector<ImageSize> image_sizes;
        for (size_t i = 0; i < record.images.size(); ++i) {
            const auto& path = record.images[i];
            auto found = sizes.find(path);
            if (found == sizes.end()) {
                try {
                    const DecodedImage decoded = load_image(path, options_.image_limits);
                    found = sizes.emplace(path, ImageSize{decoded.width, decoded.height}).first;
                } catch (const ImageError& e) {
                    throw InputError(record.origin + ": " + e.what());
                }
            }
            image_sizes.push_back(found->second);
            request.images.push_back({path, record.image_sha256[i]});
        }

        TokenizedConversation conversation;
        try {
            conversation = tokenizer.tokenize(request, image_sizes, record.answer);
        } catch (const EngineError& e) {
            throw EngineError(record.origin + ": " + e.what());
        }
        TokenizedSample sample = make_tokenized_sample(record.id, conversation, record.image_sha256, record.images,
                                                     config_.vision.tokens_per_tile());
        if (static_cast<int64_t>(sample.token_ids.size()) > config_.language.n_ctx_train) {
            throw InputError(record.origin + ": the conversation needs " + std::to_string(sample.token_ids.size()) +
                             " positions, more than the model's context of " +
                             std::to_string(config_.language.n_ctx_train));
        }
        samples.push_back(std::move(sample));
    }
    return samples;
}

void TrainingSession::cache_vision(const std::vector<TokenizedSample>& samples,
                                   const std::function<void(size_t, size_t)>& progress) {
    struct ImageWork {
        std::filesystem::path path;
        size_t tiles = 0;
        std::vector<size_t> missing;
    };
    std::map<std::string, ImageWork> work;
    for (const auto& sample : samples) {
        for (size_t i = 0; i < sample.image_sha256.size(); ++i) {
            ImageWork& image = work[sample.image_sha256[i]];
            image.path = sample.image_paths[i];
            image.tiles = sample.tiles_per_image[i];
        }
    }
    size_t total = 0;
    for (auto& [sha, image] : work) {
        for (size_t tile = 0; tile < image.tiles; ++tile) {
            if (!cache_->contains(sha, tile)) {
                image.missing.push_back(tile);
                ++total;
            }
        }
    }
    if (total == 0) {
        return;
    }

    mmproj_.load([this](const std::string& name) {
        return graph_->frozen_vision_tensor(name) || graph_->trainable_vision_tensor(name);
    });
    const int64_t tile_size = config_.vision.image_size;
    size_t done = 0;
    for (const auto& [sha, image] : work) {
        if (image.missing.empty()) {
            continue;
        }
        const ImageTiles tiles = make_image_tiles(load_image(image.path, options_.image_limits), config_.vision);
        if (tiles.tiles.size() != image.tiles) {
            throw InputError(image.path.string() + ": libmtmd lays this image out in " + std::to_string(image.tiles) +
                             " tiles but the trainer's preprocessing made " + std::to_string(tiles.tiles.size()));
        }
        for (const size_t tile : image.missing) {
            ContextPtr context = make_graph_context();
            ggml_tensor* pixels = ggml_new_tensor_4d(context.get(), GGML_TYPE_F32, tile_size, tile_size, 3, 1);
            ggml_set_input(pixels);
            ggml_tensor* output = graph_->build_frozen_vision(context.get(), pixels);
            ggml_set_output(output);
            ggml_cgraph* graph = ggml_new_graph_custom(context.get(), kMaxGraphNodes, false);
            ggml_build_forward_expand(graph, output);
            compute(graph, [&] {
                ggml_backend_tensor_set(pixels, tiles.tiles[tile].data(), 0, ggml_nbytes(pixels));
            });
            std::vector<float> values(static_cast<size_t>(ggml_nelements(output)));
            ggml_backend_tensor_get(output, values.data(), 0, ggml_nbytes(output));
            cache_->store(sha, tile, values.data());
            ++done;
            if (progress) {
                progress(done, total);
            }
        }
    }
    load_trainable_weights();
    // The allocator keeps the buffer of the largest graph it allocated;
    // the frozen tower's is not needed again.
    ggml_gallocr_free(allocator_);
    allocator_ = ggml_gallocr_new(ggml_backend_cpu_buffer_type());
}

std::vector<float> TrainingSession::vision_values(const TokenizedSample& sample) const {
    const auto per_tile = static_cast<size_t>(cache_->values_per_tile());
    std::vector<float> values(per_tile * std::max<size_t>(1, sample.tiles.size()), 0.0f);
    for (size_t i = 0; i < sample.tiles.size(); ++i) {
        const TileRef& tile = sample.tiles[i];
        cache_->load(sample.image_sha256.at(tile.image), tile.tile, values.data() + i * per_tile);
    }
    return values;
}

std::vector<float> TrainingSession::one_hot_labels(const TokenizedSample& sample) const {
    const auto vocabulary = static_cast<size_t>(config_.language.n_vocab);
    std::vector<float> labels(vocabulary * sample.labels.size(), 0.0f);
    for (size_t row = 0; row < sample.labels.size(); ++row) {
        const auto token = static_cast<size_t>(sample.labels[row]);
        if (token >= vocabulary) {
            throw Error("sample " + sample.id + ": label token " + std::to_string(token) + " is outside the vocabulary");
        }
        labels[row * vocabulary + token] = 1.0f;
    }
    return labels;
}

void TrainingSession::compute(ggml_cgraph* graph, const std::function<void()>& fill) {
    if (!ggml_gallocr_alloc_graph(allocator_, graph)) {
        throw Error("ggml failed to allocate the compute graph (out of memory?)");
    }
    fill();
    if (ggml_backend_graph_compute(backend_, graph) != GGML_STATUS_SUCCESS) {
        throw Error("ggml failed to compute the graph");
    }
}

ForwardOutput TrainingSession::forward(const TokenizedSample& sample) {
    ContextPtr context = make_graph_context();
    const SampleGraph graph = graph_->build_sample(context.get(), sample.shape());
    ggml_tensor* labels = ggml_new_tensor_2d(context.get(), GGML_TYPE_F32, config_.language.n_vocab,
                                             static_cast<int64_t>(sample.labels.size()));
    ggml_set_input(labels);
    ggml_tensor* loss = ggml_cross_entropy_loss(context.get(), graph.logits, labels);
    for (ggml_tensor* output : {graph.logits, graph.tile_embeddings, loss}) {
        ggml_set_output(output);
    }
    ggml_cgraph* cgraph = ggml_new_graph_custom(context.get(), kMaxGraphNodes, false);
    ggml_build_forward_expand(cgraph, graph.tile_embeddings);
    ggml_build_forward_expand(cgraph, loss);

    const std::vector<float> vision = vision_values(sample);
    const std::vector<float> one_hot = one_hot_labels(sample);
    compute(cgraph, [&] {
        fill_sample_inputs(graph, sample, vision);
        ggml_backend_tensor_set(labels, one_hot.data(), 0, ggml_nbytes(labels));
    });

    ForwardOutput output;
    float loss_value = 0;
    ggml_backend_tensor_get(loss, &loss_value, 0, sizeof(float));
    output.loss = loss_value;
    output.logits.resize(static_cast<size_t>(ggml_nelements(graph.logits)));
    ggml_backend_tensor_get(graph.logits, output.logits.data(), 0, ggml_nbytes(graph.logits));
    output.tile_embeddings.resize(static_cast<size_t>(ggml_nelements(graph.tile_embeddings)));
    ggml_backend_tensor_get(graph.tile_embeddings, output.tile_embeddings.data(), 0, ggml_nbytes(graph.tile_embeddings));
    if (sample.tiles.empty()) {
        output.tile_embeddings.clear();  // the unused placeholder tile
    }
    return output;
}

GradientOutput TrainingSession::loss_and_gradients(const TokenizedSample& sample) {
    ContextPtr context = make_graph_context();
    const SampleGraph graph = graph_->build_sample(context.get(), sample.shape());
    ggml_tensor* labels = ggml_new_tensor_2d(context.get(), GGML_TYPE_F32, config_.language.n_vocab,
                                             static_cast<int64_t>(sample.labels.size()));
    ggml_set_input(labels);
    ggml_tensor* loss = ggml_cross_entropy_loss(context.get(), graph.logits, labels);
    ggml_set_output(loss);
    ggml_set_loss(loss);

    ggml_cgraph* cgraph = ggml_new_graph_custom(context.get(), kMaxGraphNodes, true);
    const std::vector<ggml_tensor*> parameters = lora_->tensors();
    for (ggml_tensor* parameter : parameters) {
        ggml_build_forward_expand(cgraph, parameter);
    }
    ggml_build_forward_expand(cgraph, loss);

    // The loss gradient (1) lives in its own buffer so the allocator never
    // reuses its memory; every other gradient is a graph node.
    ggml_init_params seed_params{2 * ggml_tensor_overhead(), nullptr, true};
    ContextPtr seed_context(ggml_init(seed_params));
    ggml_tensor* loss_gradient = ggml_new_tensor_1d(seed_context.get(), GGML_TYPE_F32, 1);
    ggml_backend_buffer_t seed_buffer = ggml_backend_alloc_ctx_tensors(seed_context.get(), backend_);
    const float one = 1.0f;
    ggml_backend_tensor_set(loss_gradient, &one, 0, sizeof(float));
    std::vector<ggml_tensor*> accumulators(static_cast<size_t>(ggml_graph_n_nodes(cgraph)), nullptr);
    accumulators.back() = loss_gradient;
    ggml_build_backward_expand(context.get(), cgraph, accumulators.data());
    for (ggml_tensor* parameter : parameters) {
        if (ggml_tensor* gradient = ggml_graph_get_grad(cgraph, parameter)) {
            ggml_set_output(gradient);
        }
    }

    const std::vector<float> vision = vision_values(sample);
    const std::vector<float> one_hot = one_hot_labels(sample);
    try {
        compute(cgraph, [&] {
            fill_sample_inputs(graph, sample, vision);
            ggml_backend_tensor_set(labels, one_hot.data(), 0, ggml_nbytes(labels));
        });
    } catch (...) {
        ggml_backend_buffer_free(seed_buffer);
        throw;
    }

    GradientOutput output;
    float loss_value = 0;
    ggml_backend_tensor_get(loss, &loss_value, 0, sizeof(float));
    output.loss = loss_value;
    for (ggml_tensor* parameter : parameters) {
        ggml_tensor* gradient = ggml_graph_get_grad(cgraph, parameter);
        std::vector<float> values(static_cast<size_t>(ggml_nelements(parameter)), 0.0f);
        if (gradient != nullptr) {
            ggml_backend_tensor_get(gradient, values.data(), 0, ggml_nbytes(gradient));
        }
        output.gradients[ggml_get_name(parameter)] = std::move(values);
    }
    ggml_backend_buffer_free(seed_buffer);
    return output;
}

}  // namespace medvlm
