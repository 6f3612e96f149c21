#pragma once
// Read access to a GGUF file: its metadata, and selected tensors loaded into
// a CPU backend buffer so ggml graphs can use them as frozen weights.

#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

struct ggml_context;
struct ggml_tensor;
struct gguf_context;
struct ggml_backend_buffer;

namespace medvlm {

class WeightFile {
public:
    // Reads the metadata; tensor data is read by load(). Throws InputError
    // when the file is missing or not a valid GGUF file.
    explicit WeightFile(const std::filesystem::path& path);
    ~WeightFile();
    WeightFile(const WeightFile&) = delete;
    WeightFile& operator=(const WeightFile&) = delete;

    [[nodiscard]] const std::filesystem::path& path() const { return path_; }
    [[nodiscard]] const gguf_context* gguf() const { return gguf_; }

    [[nodiscard]] bool has_key(const std::string& key) const;
    // Required keys: a missing key or a key of another type throws
    // InputError naming the file and the key.
    [[nodiscard]] std::string string_value(const std::string& key) const;
    [[nodiscard]] uint32_t u32_value(const std::string& key) const;
    [[nodiscard]] float f32_value(const std::string& key) const;
    [[nodiscard]] bool bool_value(const std::string& key) const;
    [[nodiscard]] std::vector<float> f32_array(const std::string& key) const;
    [[nodiscard]] size_t array_length(const std::string& key) const;
    [[nodiscard]] std::optional<std::string> optional_string(const std::string& key) const;

    // Tensor metadata (type and shape, no data).
    [[nodiscard]] std::vector<std::string> tensor_names() const;
    [[nodiscard]] const ggml_tensor* tensor_info(const std::string& name) const;  // nullptr when absent

    // Reads the tensors whose names `keep` accepts into one CPU buffer,
    // replacing what an earlier call loaded.
    void load(const std::function<bool(const std::string&)>& keep);
    // Frees the loaded tensors.
    void release();
    // A loaded tensor; throws Error when it was not loaded.
    [[nodiscard]] ggml_tensor* tensor(const std::string& name) const;
    [[nodiscard]] ggml_tensor* optional_tensor(const std::string& name) const;
    [[nodiscard]] size_t loaded_bytes() const;

private:
    [[nodiscard]] int64_t key_id(const std::string& key, int expected_type) const;

    std::filesystem::path path_;
    gguf_context* gguf_ = nullptr;
    ggml_context* meta_ = nullptr;
    ggml_context* data_context_ = nullptr;
    ggml_backend_buffer* buffer_ = nullptr;
    std::map<std::string, ggml_tensor*> loaded_;
};

}  // namespace medvlm
