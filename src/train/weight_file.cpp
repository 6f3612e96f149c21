#include "train/weight_file.hpp"

#include <ggml-alloc.h>
#include <ggml-backend.h>
#include <ggml-cpu.h>
#include <ggml.h>
#include <gguf.h>

#include <cstdio>
#include <memory>

#include "core/error.hpp"

namespace medvlm {
namespace {

struct FileCloser {
    void operator()(std::FILE* file) const { std::fclose(file); }
};

}  // namespace

WeightFile::WeightFile(const std::filesystem::path& path) : path_(path) {
    if (!std::filesystem::is_regular_file(path)) {
        throw InputError(path.string() + ": file not found");
    }
    gguf_init_params params{true, &meta_};
    gguf_ = gguf_init_from_file(path.string().c_str(), params);
    if (gguf_ == nullptr) {
        throw InputError(path.string() + ": not a valid GGUF file");
    }
}

WeightFile::~WeightFile() {
    release();
    if (meta_ != nullptr) {
        ggml_free(meta_);
    }
    if (gguf_ != nullptr) {
        gguf_free(gguf_);
    }
}

int64_t WeightFile::key_id(const std::string& key, int expected_type) const {
    const int64_t id = gguf_find_key(gguf_, key.c_str());
    if (id < 0) {
        throw InputError(path_.string() + ": required key '" + key + "' is missing");
    }
    if (static_cast<int>(gguf_get_kv_type(gguf_, id)) != expected_type) {
        throw InputError(path_.string() + ": key '" + key + "' has type " + gguf_type_name(gguf_get_kv_type(gguf_, id)) +
                         ", expected " + gguf_type_name(static_cast<gguf_type>(expected_type)));
    }
    return id;
}

bool WeightFile::has_key(const std::string& key) const { return gguf_find_key(gguf_, key.c_str()) >= 0; }

std::string WeightFile::string_value(const std::string& key) const {
    return gguf_get_val_str(gguf_, key_id(key, GGUF_TYPE_STRING));
}

std::optional<std::string> WeightFile::optional_string(const std::string& key) const {
    if (!has_key(key)) {
        return std::nullopt;
    }
    return string_value(key);
}

uint32_t WeightFile::u32_value(const std::string& key) const {
    // Converters write most counts as u32; accept the other integer widths
    // a file may use for the same value.
    const int64_t id = gguf_find_key(gguf_, key.c_str());
    if (id < 0) {
        throw InputError(path_.string() + ": required key '" + key + "' is missing");
    }
    switch (gguf_get_kv_type(gguf_, id)) {
        case GGUF_TYPE_UINT32: return gguf_get_val_u32(gguf_, id);
        case GGUF_TYPE_INT32: {
            const int32_t value = gguf_get_val_i32(gguf_, id);
            if (value >= 0) {
                return static_cast<uint32_t>(value);
            }
            break;
        }
        case GGUF_TYPE_UINT64: {
            const uint64_t value = gguf_get_val_u64(gguf_, id);
            if (value <= UINT32_MAX) {
                return static_cast<uint32_t>(value);
            }
            break;
        }
        default: break;
    }
    throw InputError(path_.string() + ": key '" + key + "' is not a non-negative 32-bit integer");
}

float WeightFile::f32_value(const std::string& key) const { return gguf_get_val_f32(gguf_, key_id(key, GGUF_TYPE_FLOAT32)); }

bool WeightFile::bool_value(const std::string& key) const { return gguf_get_val_bool(gguf_, key_id(key, GGUF_TYPE_BOOL)); }

size_t WeightFile::array_length(const std::string& key) const {
    return gguf_get_arr_n(gguf_, key_id(key, GGUF_TYPE_ARRAY));
}

std::vector<float> WeightFile::f32_array(const std::string& key) const {
    const int64_t id = key_id(key, GGUF_TYPE_ARRAY);
    if (gguf_get_arr_type(gguf_, id) != GGUF_TYPE_FLOAT32) {
        throw InputError(path_.string() + ": key '" + key + "' is not an array of float32");
    }
    const auto* values = static_cast<const float*>(gguf_get_arr_data(gguf_, id));
    return {values, values + gguf_get_arr_n(gguf_, id)};
}

std::vector<std::string> WeightFile::tensor_names() const {
    std::vector<std::string> names;
    for (int64_t i = 0; i < gguf_get_n_tensors(gguf_); ++i) {
        names.emplace_back(gguf_get_tensor_name(gguf_, i));
    }
    return names;
}

const ggml_tensor* WeightFile::tensor_info(const std::string& name) const {
    return ggml_get_tensor(meta_, name.c_str());
}

void WeightFile::load(const std::function<bool(const std::string&)>& keep) {
    release();
    std::vector<std::string> names;
    for (const auto& name : tensor_names()) {
        if (keep(name)) {
            names.push_back(name);
        }
    }
    ggml_init_params params{(names.size() + 1) * ggml_tensor_overhead(), nullptr, true};
    data_context_ = ggml_init(params);
    if (data_context_ == nullptr) {
        throw Error("ggml failed to create a context for " + path_.string());
    }
    for (const auto& name : names) {
        ggml_tensor* copy = ggml_dup_tensor(data_context_, tensor_info(name));
        ggml_set_name(copy, name.c_str());
        loaded_[name] = copy;
    }
    if (names.empty()) {
        return;
    }
    buffer_ = ggml_backend_alloc_ctx_tensors_from_buft(data_context_, ggml_backend_cpu_buffer_type());
    if (buffer_ == nullptr) {
        throw Error(path_.string() + ": cannot allocate memory for the model weights");
    }
    ggml_backend_buffer_set_usage(buffer_, GGML_BACKEND_BUFFER_USAGE_WEIGHTS);

    std::unique_ptr<std::FILE, FileCloser> file(std::fopen(path_.string().c_str(), "rb"));
    if (!file) {
        throw InputError(path_.string() + ": cannot open the file");
    }
    const size_t data_offset = gguf_get_data_offset(gguf_);
    for (const auto& name : names) {
        ggml_tensor* tensor = loaded_.at(name);
        const int64_t id = gguf_find_tensor(gguf_, name.c_str());
        const size_t offset = data_offset + gguf_get_tensor_offset(gguf_, id);
        if (std::fseek(file.get(), static_cast<long>(offset), SEEK_SET) != 0 ||
            std::fread(tensor->data, 1, ggml_nbytes(tensor), file.get()) != ggml_nbytes(tensor)) {
            throw InputError(path_.string() + ": tensor '" + name + "' extends past the end of the file (truncated?)");
        }
    }
}

void WeightFile::release() {
    loaded_.clear();
    if (buffer_ != nullptr) {
        ggml_backend_buffer_free(buffer_);
        buffer_ = nullptr;
    }
    if (data_context_ != nullptr) {
        ggml_free(data_context_);
        data_context_ = nullptr;
    }
}

ggml_tensor* WeightFile::tensor(const std::string& name) const {
    ggml_tensor* found = optional_tensor(name);
    if (found == nullptr) {
        throw Error(path_.string() + ": tensor '" + name + "' was not loaded");
    }
    return found;
}

ggml_tensor* WeightFile::optional_tensor(const std::string& name) const {
    const auto it = loaded_.find(name);
    return it == loaded_.end() ? nullptr : it->second;
}

size_t WeightFile::loaded_bytes() const { return buffer_ == nullptr ? 0 : ggml_backend_buffer_get_size(buffer_); }

}  // namespace medvlm
