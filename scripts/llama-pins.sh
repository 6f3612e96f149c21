# The llama.cpp revision medvlm builds against and how it is built.
# Sourced by scripts/setup.sh; kept apart so tests and docs can read the pins.

NODE_LLAMA_CPP_VERSION=3.21.1
NODE_LLAMA_CPP_INTEGRITY='sha512-E3N0Ev2Va0wzydvXYFwM9Hvyo07PoWjt8T/9GMc43Cvt8YkV/NU/tYUgEMC1grTPv2o9PRjQi0G3Wb5P/awiMg=='
LLAMA_BUNDLE_SHA256=9336d8aab8f8e6a8919380f3641fe92e57b02fb55df1b6bd083b82491a6293b8
LLAMA_COMMIT=80fb11ac73e66d89eae2c6a91d8a77428fa733ed

# GGML_NATIVE tunes the CPU kernels to this machine, so the cache key below
# includes the CPU's feature flags: a cache copied to another CPU is rebuilt
# instead of crashing on an unsupported instruction.
LLAMA_CMAKE_OPTIONS=(-DGGML_NATIVE=ON -DGGML_OPENMP=ON)

llama_options_key() {
    local cpu_flags
    cpu_flags=$( (grep -m1 '^flags' /proc/cpuinfo 2>/dev/null || sysctl -n machdep.cpu.features hw.optional 2>/dev/null || true; uname -sm) | sha256sum | cut -c1-12)
    local options
    options=$(printf '%s\n' "${LLAMA_CMAKE_OPTIONS[@]}" | sha256sum | cut -c1-8)
    echo "${options}-${cpu_flags}"
}
