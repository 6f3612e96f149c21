#pragma once
// One-time llama.cpp set-up shared by everything in this folder that loads a
// model: routes llama.cpp's and libmtmd's logs to spdlog and initializes the
// backends.

namespace medvlm {

// Safe to call from every constructor; only the first call has an effect.
void init_llama_backend();

}  // namespace medvlm
