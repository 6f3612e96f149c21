#include "data/benchmark.hpp"

#include "core/error.hpp"

namespace medvlm {

std::string benchmark_name(Benchmark benchmark) {
    switch (benchmark) {
        case Benchmark::MedXpertQaMm: return "medxpertqa-mm";
        case Benchmark::Slake: return "slake";
        case Benchmark::VqaRad: return "vqa-rad";
    }
    return "unknown";
}

Benchmark parse_benchmark(std::string_view name) {
    if (name == "medxpertqa-mm") {
        return Benchmark::MedXpertQaMm;
    }
    if (name == "slake") {
        return Benchmark::Slake;
    }
    if (name == "vqa-rad") {
        return Benchmark::VqaRad;
    }
    throw InputError("unknown benchmark '" + std::string(name) +
                     "'; expected one of: medxpertqa-mm, slake, vqa-rad");
}

TaskKind task_kind(Benchmark benchmark) {
    return benchmark == Benchmark::MedXpertQaMm ? TaskKind::MultipleChoice : TaskKind::ShortAnswer;
}

}  // namespace medvlm
