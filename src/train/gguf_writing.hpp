#pragma once
// A GGUF file built from F32 arrays and existing tensors, for checkpoints
// and exports.

#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

struct ggml_context;
struct ggml_tensor;
struct gguf_context;

namespace medvlm {

class GgufBuilder {
public:
    // `tensor_bytes`: room for the tensor data added with add_f32().
    explicit GgufBuilder(size_t tensor_bytes, size_t tensor_count);
    ~GgufBuilder();
    GgufBuilder(const GgufBuilder&) = delete;
    GgufBuilder& operator=(const GgufBuilder&) = delete;

    [[nodiscard]] gguf_context* gguf() { return gguf_; }

    // Adds an F32 tensor of `shape` (ggml order) with `values`.
    void add_f32(const std::string& name, const std::vector<int64_t>& shape, const std::vector<float>& values);
    // Adds a tensor whose data stays owned by the caller until write().
    void add_existing(const ggml_tensor* tensor);

    // Writes to a temporary file next to `path` and renames it into place.
    void write(const std::filesystem::path& path) const;

private:
    ggml_context* context_ = nullptr;
    gguf_context* gguf_ = nullptr;
};

}  // namespace medvlm
