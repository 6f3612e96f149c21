#include "train/gguf_writing.hpp"

#include <ggml.h>
#include <gguf.h>

#include <cstring>

#include "core/error.hpp"

namespace medvlm {

GgufBuilder::GgufBuilder(size_t tensor_bytes, size_t tensor_count) {
    ggml_init_params params{tensor_bytes + (tensor_count + 1) * (ggml_tensor_overhead() + GGML_MEM_ALIGN), nullptr,
                            false};
    context_ = ggml_init(params);
    gguf_ = gguf_init_empty();
    if (context_ == nullptr || gguf_ == nullptr) {
        throw Error("ggml failed to allocate memory for a GGUF file");
    }
}

GgufBuilder::~GgufBuilder() {
    gguf_free(gguf_);
    ggml_free(context_);
}

void GgufBuilder::add_f32(const std::string& name, const std::vector<int64_t>& shape, const std::vector<float>& values) {
    int64_t ne[GGML_MAX_DIMS] = {1, 1, 1, 1};
    for (size_t i = 0; i < shape.size(); ++i) {
        ne[i] = shape[i];
    }
    ggml_tensor* tensor = ggml_new_tensor(context_, GGML_TYPE_F32, static_cast<int>(shape.size()), ne);
    if (static_cast<size_t>(ggml_nelements(tensor)) != values.size()) {
        throw Error("tensor " + name + ": shape and value count differ");
    }
    ggml_set_name(tensor, name.c_str());
    std::memcpy(tensor->data, values.data(), values.size() * sizeof(float));
    gguf_add_tensor(gguf_, tensor);
}

void GgufBuilder::add_existing(const ggml_tensor* tensor) { gguf_add_tensor(gguf_, tensor); }

void GgufBuilder::write(const std::filesystem::path& path) const {
    const std::filesystem::path temporary = path.string() + ".partial";
    if (!gguf_write_to_file(gguf_, temporary.string().c_str(), false)) {
        std::filesystem::remove(temporary);
        throw InputError(path.string() + ": cannot write the GGUF file (disk full or no permission?)");
    }
    std::error_code ec;
    std::filesystem::rename(temporary, path, ec);
    if (ec) {
        throw InputError(path.string() + ": cannot move the written file into place (" + ec.message() + ")");
    }
}

}  // namespace medvlm
