#!/usr/bin/env bash
# Installs every Debian package medvlm needs and provides llama.cpp
# (libllama, libmtmd, ggml, llama-server, llama-mtmd-cli).
#
# llama.cpp comes from the first of these that applies:
#   1. MEDVLM_LLAMA_PREFIX=DIR: an install prefix the user built themselves
#      (DIR/lib/cmake/llama/llama-config.cmake must exist);
#   2. an installed llama.cpp that CMake's find_package(llama) finds
#      (for example a Homebrew install), unless MEDVLM_LLAMA_SOURCE is set;
#   3. MEDVLM_LLAMA_SOURCE=DIR: the user's own llama.cpp source tree, built
#      into the cache;
#   4. the git bundle shipped in the npm package node-llama-cpp@3.21.1,
#      verified against pinned hashes and built into the cache.
# The cache lives outside the repository, in
# ${MEDVLM_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/medvlm}, keyed by the
# llama.cpp commit and the build options, and is reused when complete.
#
# The chosen prefix is written to build/llama-prefix.txt, which
# CMakeLists.txt reads. Set MEDVLM_SKIP_APT=1 to skip the package step
# (for example on macOS, where Homebrew provides the libraries).
set -euo pipefail

repo_root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# shellcheck source=scripts/llama-pins.sh
source "$repo_root/scripts/llama-pins.sh"

log() { printf '[setup] %s\n' "$*" >&2; }
die() { printf '[setup] error: %s\n' "$*" >&2; exit 1; }

debian_packages=(
    build-essential cmake ninja-build pkg-config git ca-certificates curl openssl
    nlohmann-json3-dev libcli11-dev libspdlog-dev libfmt-dev
    libopencv-dev libopencv-contrib-dev
    libsqlite3-dev libboost-dev libcurl4-openssl-dev libicu-dev
    libgtest-dev libgmock-dev libbenchmark-dev
    clang libclang-rt-14-dev jq
    chromium
    valgrind
)

install_debian_packages() {
    if [[ "${MEDVLM_SKIP_APT:-0}" == 1 ]]; then
        log "MEDVLM_SKIP_APT=1: skipping Debian packages"
        return
    fi
    if ! command -v apt-get >/dev/null; then
        log "apt-get not found: install the libraries listed in scripts/setup.sh with your package manager"
        return
    fi

    local missing=()
    # npm is only needed to fetch llama.cpp; a Node.js installed outside
    # Debian (for example from NodeSource) conflicts with Debian's npm.
    if ! command -v npm >/dev/null; then
        missing+=(nodejs npm)
    fi
    for package in "${debian_packages[@]}"; do
        if ! dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed"; then
            missing+=("$package")
        fi
    done
    if ((${#missing[@]} == 0)); then
        log "all Debian packages are installed"
        return
    fi

    local run_as_root=()
    if [[ $(id -u) != 0 ]]; then
        command -v sudo >/dev/null || die "installing ${missing[*]} needs root and sudo is not available"
        run_as_root=(sudo)
    fi
    log "installing Debian packages: ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    "${run_as_root[@]}" apt-get update -q
    "${run_as_root[@]}" apt-get install -y -q --no-install-recommends "${missing[@]}"
}

# Succeeds when CMake's find_package(llama) finds an installed llama.cpp with
# libmtmd; prints the prefix.
find_installed_llama() {
    local probe
    probe=$(mktemp -d)
    cat >"$probe/CMakeLists.txt" <<'CMAKE'
cmake_minimum_required(VERSION 3.25)
project(probe LANGUAGES C CXX)
find_package(llama CONFIG REQUIRED)
find_path(MTMD_INCLUDE mtmd.h HINTS ${LLAMA_INCLUDE_DIR} REQUIRED)
get_filename_component(prefix "${LLAMA_INCLUDE_DIR}" DIRECTORY)
file(WRITE "${CMAKE_BINARY_DIR}/prefix.txt" "${prefix}")
CMAKE
    if cmake -S "$probe" -B "$probe/build" >/dev/null 2>&1; then
        cat "$probe/build/prefix.txt"
        rm -rf "$probe"
        return 0
    fi
    rm -rf "$probe"
    return 1
}

sha512_base64() { openssl dgst -sha512 -binary "$1" | base64 -w0; }

# Fetches node-llama-cpp with npm, checks the tarball against the registry's
# integrity field and the pinned value, and clones the bundled llama.cpp.
fetch_llama_source() {
    local work=$1
    mkdir -p "$work"
    (cd "$work" && npm pack --silent "node-llama-cpp@${NODE_LLAMA_CPP_VERSION}" >/dev/null)
    local tarball="$work/node-llama-cpp-${NODE_LLAMA_CPP_VERSION}.tgz"
    [[ -f "$tarball" ]] || die "npm pack did not produce $tarball"

    local registry_integrity actual_integrity
    registry_integrity=$(npm view "node-llama-cpp@${NODE_LLAMA_CPP_VERSION}" dist.integrity)
    actual_integrity="sha512-$(sha512_base64 "$tarball")"
    [[ "$registry_integrity" == "$NODE_LLAMA_CPP_INTEGRITY" ]] ||
        die "registry integrity for node-llama-cpp@${NODE_LLAMA_CPP_VERSION} is $registry_integrity, pinned is $NODE_LLAMA_CPP_INTEGRITY"
    [[ "$actual_integrity" == "$NODE_LLAMA_CPP_INTEGRITY" ]] ||
        die "$tarball has integrity $actual_integrity, expected $NODE_LLAMA_CPP_INTEGRITY; delete it and rerun"
    log "tarball integrity verified: $actual_integrity"

    tar -xzf "$tarball" -C "$work" package/llama/gitRelease.bundle
    local bundle="$work/package/llama/gitRelease.bundle"
    local bundle_sha
    bundle_sha=$(sha256sum "$bundle" | cut -d' ' -f1)
    [[ "$bundle_sha" == "$LLAMA_BUNDLE_SHA256" ]] ||
        die "$bundle has SHA-256 $bundle_sha, expected $LLAMA_BUNDLE_SHA256"

    git clone --quiet "$bundle" "$work/llama.cpp"
    git -C "$work/llama.cpp" -c advice.detachedHead=false checkout --quiet "$LLAMA_COMMIT"
    local head
    head=$(git -C "$work/llama.cpp" rev-parse HEAD)
    [[ "$head" == "$LLAMA_COMMIT" ]] || die "bundled llama.cpp HEAD is $head, expected $LLAMA_COMMIT"
    log "llama.cpp source at $head"
}

# Builds ggml, libllama, libmtmd, llama-server and llama-mtmd-cli from
# SOURCE and installs them into PREFIX.
build_llama() {
    local source=$1 build=$2 prefix=$3
    local jobs
    jobs=$(nproc 2>/dev/null || sysctl -n hw.ncpu 2>/dev/null || echo 2)
    log "building llama.cpp with $jobs jobs (about 15-20 minutes on 2 cores)"

    cmake -S "$source" -B "$build" -G Ninja \
        -DCMAKE_BUILD_TYPE=Release \
        -DCMAKE_INSTALL_PREFIX="$prefix" \
        -DCMAKE_INSTALL_RPATH="$prefix/lib" \
        -DBUILD_SHARED_LIBS=ON \
        -DLLAMA_BUILD_TESTS=OFF -DLLAMA_BUILD_EXAMPLES=OFF \
        -DLLAMA_BUILD_TOOLS=ON -DLLAMA_BUILD_SERVER=ON -DLLAMA_BUILD_APP=OFF \
        -DLLAMA_BUILD_UI=OFF -DLLAMA_USE_PREBUILT_UI=OFF \
        -DLLAMA_OPENSSL=OFF -DLLAMA_TOOLS_INSTALL=ON \
        "${LLAMA_CMAKE_OPTIONS[@]}" >"$build.configure.log" 2>&1 ||
        die "configuring llama.cpp failed; see $build.configure.log"

    cmake --build "$build" -j "$jobs" >"$build.build.log" 2>&1 ||
        die "building llama.cpp failed; see $build.build.log"
    cmake --install "$build" >"$build.install.log" 2>&1 ||
        die "installing llama.cpp failed; see $build.install.log"
}

provide_llama() {
    if [[ -n "${MEDVLM_LLAMA_PREFIX:-}" ]]; then
        [[ -f "$MEDVLM_LLAMA_PREFIX/lib/cmake/llama/llama-config.cmake" ]] ||
            die "MEDVLM_LLAMA_PREFIX=$MEDVLM_LLAMA_PREFIX has no lib/cmake/llama/llama-config.cmake; point it at a llama.cpp install prefix"
        log "using llama.cpp from MEDVLM_LLAMA_PREFIX=$MEDVLM_LLAMA_PREFIX"
        echo "$MEDVLM_LLAMA_PREFIX"
        return
    fi

    local installed
    if [[ -z "${MEDVLM_LLAMA_SOURCE:-}" ]] && installed=$(find_installed_llama); then
        log "using installed llama.cpp at $installed"
        echo "$installed"
        return
    fi

    local cache_root="${MEDVLM_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/medvlm}"
    local commit=$LLAMA_COMMIT
    if [[ -n "${MEDVLM_LLAMA_SOURCE:-}" ]]; then
        commit=$(git -C "$MEDVLM_LLAMA_SOURCE" rev-parse HEAD 2>/dev/null) ||
            die "MEDVLM_LLAMA_SOURCE=$MEDVLM_LLAMA_SOURCE is not a git checkout of llama.cpp"
    fi
    local key="${commit}-$(llama_options_key)"
    local prefix="$cache_root/llama.cpp-$key"

    if [[ -f "$prefix/.complete" ]]; then
        log "reusing cached llama.cpp build at $prefix"
        echo "$prefix"
        return
    fi

    local work="$cache_root/work-$key"
    rm -rf "$work" "$prefix"
    mkdir -p "$work"
    local source
    if [[ -n "${MEDVLM_LLAMA_SOURCE:-}" ]]; then
        source=$MEDVLM_LLAMA_SOURCE
    else
        fetch_llama_source "$work"
        source="$work/llama.cpp"
    fi
    build_llama "$source" "$work/build" "$prefix"
    for binary in llama-server llama-mtmd-cli; do
        [[ -x "$prefix/bin/$binary" ]] || die "llama.cpp install at $prefix lacks bin/$binary"
    done
    echo "$commit" >"$prefix/.complete"
    rm -rf "$work"
    log "llama.cpp installed at $prefix"
    echo "$prefix"
}

main() {
    install_debian_packages
    local prefix
    prefix=$(provide_llama)
    mkdir -p "$repo_root/build"
    echo "$prefix" >"$repo_root/build/llama-prefix.txt"
    log "llama.cpp prefix recorded in build/llama-prefix.txt: $prefix"
}

main "$@"
