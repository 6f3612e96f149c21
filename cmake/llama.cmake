# Finds llama.cpp (libllama, libmtmd, ggml). scripts/setup.sh records the
# install prefix it chose in build/llama-prefix.txt; an explicit
# -DCMAKE_PREFIX_PATH or an installed llama.cpp works as well.
set(MEDVLM_LLAMA_PREFIX_FILE "${PROJECT_SOURCE_DIR}/build/llama-prefix.txt")
if(EXISTS "${MEDVLM_LLAMA_PREFIX_FILE}")
    file(READ "${MEDVLM_LLAMA_PREFIX_FILE}" medvlm_llama_prefix)
    string(STRIP "${medvlm_llama_prefix}" medvlm_llama_prefix)
    list(PREPEND CMAKE_PREFIX_PATH "${medvlm_llama_prefix}")
endif()

find_package(llama CONFIG)
if(NOT llama_FOUND)
    message(FATAL_ERROR
        "llama.cpp was not found. Run scripts/setup.sh first (it builds llama.cpp "
        "into a cache and records the prefix in build/llama-prefix.txt), or pass "
        "-DCMAKE_PREFIX_PATH=<llama.cpp install prefix>.")
endif()

find_library(MEDVLM_MTMD_LIBRARY mtmd REQUIRED HINTS "${LLAMA_LIB_DIR}" NO_DEFAULT_PATH)
find_path(MEDVLM_MTMD_INCLUDE_DIR mtmd.h REQUIRED HINTS "${LLAMA_INCLUDE_DIR}" NO_DEFAULT_PATH)
add_library(medvlm_mtmd UNKNOWN IMPORTED)
set_target_properties(medvlm_mtmd PROPERTIES
    IMPORTED_LOCATION "${MEDVLM_MTMD_LIBRARY}"
    INTERFACE_INCLUDE_DIRECTORIES "${MEDVLM_MTMD_INCLUDE_DIR}"
    INTERFACE_LINK_LIBRARIES "llama")

set(MEDVLM_LLAMA_BIN_DIR "${LLAMA_BIN_DIR}")
message(STATUS "llama.cpp ${LLAMA_VERSION} (commit ${LLAMA_BUILD_COMMIT}) from ${LLAMA_LIB_DIR}")
