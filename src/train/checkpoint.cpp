#include "train/checkpoint.hpp"

#include <ggml.h>
#include <gguf.h>

#include <cstring>

#include "core/error.hpp"
#include "train/gguf_writing.hpp"
#include "train/weight_file.hpp"

namespace medvlm {
namespace {

constexpr uint32_t kCheckpointFormat = 1;
const std::string kFirstMomentSuffix = ".adamw_m";
const std::string kSecondMomentSuffix = ".adamw_v";

bool ends_with(const std::string& text, const std::string& suffix) {
    return text.size() >= suffix.size() && text.compare(text.size() - suffix.size(), suffix.size(), suffix) == 0;
}

}  // namespace

void write_checkpoint(const std::filesystem::path& path, const LoraParameters& lora, const LoraOptimizer& optimizer,
                      int epoch, const nlohmann::json& run) {
    const auto moments = optimizer.moments();
    size_t bytes = 0;
    for (ggml_tensor* tensor : lora.tensors()) {
        bytes += 3 * ggml_nbytes(tensor) + 3 * GGML_MEM_ALIGN;
    }
    GgufBuilder builder(bytes, 3 * lora.tensors().size());
    gguf_context* gguf = builder.gguf();
    gguf_set_val_str(gguf, "general.type", "medvlm-checkpoint");
    gguf_set_val_u32(gguf, "medvlm.checkpoint.format", kCheckpointFormat);
    gguf_set_val_u32(gguf, "medvlm.checkpoint.epoch", static_cast<uint32_t>(epoch));
    gguf_set_val_u64(gguf, "medvlm.checkpoint.optimizer_steps", static_cast<uint64_t>(optimizer.steps_done()));
    gguf_set_val_str(gguf, "medvlm.checkpoint.run", run.dump().c_str());

    for (ggml_tensor* tensor : lora.tensors()) {
        const std::string name = ggml_get_name(tensor);
        const std::vector<int64_t> shape{tensor->ne[0], tensor->ne[1]};
        builder.add_f32(name, shape, LoraParameters::values(tensor));
        const auto found = moments.find(name);
        if (found != moments.end()) {
            builder.add_f32(name + kFirstMomentSuffix, shape, found->second.first);
            builder.add_f32(name + kSecondMomentSuffix, shape, found->second.second);
        }
    }
    builder.write(path);
}

Checkpoint read_checkpoint(const std::filesystem::path& path) {
    WeightFile file(path);
    const auto type = file.optional_string("general.type");
    if (!type || *type != "medvlm-checkpoint") {
        throw InputError(path.string() + ": not a medvlm training checkpoint (general.type is not medvlm-checkpoint)");
    }
    if (file.u32_value("medvlm.checkpoint.format") != kCheckpointFormat) {
        throw InputError(path.string() + ": checkpoint format " +
                         std::to_string(file.u32_value("medvlm.checkpoint.format")) + " is not supported");
    }
    Checkpoint checkpoint;
    checkpoint.epoch = static_cast<int>(file.u32_value("medvlm.checkpoint.epoch"));
    const int64_t steps_key = gguf_find_key(file.gguf(), "medvlm.checkpoint.optimizer_steps");
    if (steps_key < 0 || gguf_get_kv_type(file.gguf(), steps_key) != GGUF_TYPE_UINT64) {
        throw InputError(path.string() + ": the checkpoint has no optimizer step count");
    }
    checkpoint.optimizer_steps = static_cast<int64_t>(gguf_get_val_u64(file.gguf(), steps_key));
    try {
        checkpoint.run = nlohmann::json::parse(file.string_value("medvlm.checkpoint.run"));
    } catch (const nlohmann::json::exception& e) {
        throw InputError(path.string() + ": the checkpoint's run description is not valid JSON (" + e.what() + ")");
    }

    file.load([](const std::string&) { return true; });
    for (const auto& name : file.tensor_names()) {
        ggml_tensor* tensor = file.tensor(name);
        if (tensor->type != GGML_TYPE_F32) {
            throw InputError(path.string() + ": checkpoint tensor " + name + " is not F32");
        }
        std::vector<float> values(static_cast<size_t>(ggml_nelements(tensor)));
        std::memcpy(values.data(), tensor->data, ggml_nbytes(tensor));
        if (ends_with(name, kFirstMomentSuffix)) {
            checkpoint.moments[name.substr(0, name.size() - kFirstMomentSuffix.size())].first = std::move(values);
        } else if (ends_with(name, kSecondMomentSuffix)) {
            checkpoint.moments[name.substr(0, name.size() - kSecondMomentSuffix.size())].second = std::move(values);
        } else {
            checkpoint.parameters[name] = std::move(values);
        }
    }
    return checkpoint;
}

void restore_parameters(const Checkpoint& checkpoint, LoraParameters& lora) {
    if (checkpoint.parameters.size() != lora.tensors().size()) {
        throw InputError("the checkpoint contains " + std::to_string(checkpoint.parameters.size()) +
                         " LoRA tensors but this run trains " + std::to_string(lora.tensors().size()));
    }
    for (ggml_tensor* tensor : lora.tensors()) {
        const auto found = checkpoint.parameters.find(ggml_get_name(tensor));
        if (found == checkpoint.parameters.end() || found->second.size() != static_cast<size_t>(ggml_nelements(tensor))) {
            throw InputError(std::string("the checkpoint has no tensor ") + ggml_get_name(tensor) + " of this run's size");
        }
        LoraParameters::set_values(tensor, found->second);
    }
}

}  // namespace medvlm
