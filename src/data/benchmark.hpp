#pragma once
// The benchmarks medvlm reads, and what kind of answer each expects.

#include <string>
#include <string_view>

namespace medvlm {

enum class Benchmark { MedXpertQaMm, Slake, VqaRad };

enum class TaskKind { MultipleChoice, ShortAnswer };

// Command-line and manifest names: "medxpertqa-mm", "slake", "vqa-rad".
[[nodiscard]] std::string benchmark_name(Benchmark benchmark);

// Throws InputError listing the accepted names.
[[nodiscard]] Benchmark parse_benchmark(std::string_view name);

[[nodiscard]] TaskKind task_kind(Benchmark benchmark);

}  // namespace medvlm
