#include "report/work_summary.hpp"

#include <fmt/format.h>

#include "report/markdown_format.hpp"

namespace medvlm {
namespace {

nlohmann::json ratio(int64_t value, int64_t minimum) {
    if (minimum <= 0) {
        return nullptr;
    }
    return static_cast<double>(value) / static_cast<double>(minimum);
}

std::string ratio_text(const nlohmann::json& value) {
    return value.is_null() ? "n/a" : fmt::format("{:.2f}x", value.get<double>());
}

}  // namespace

bool engine_counts_work(const nlohmann::json& manifest) {
    const auto& engine = manifest.at("engine");
    return engine.contains("counts_work") && engine.at("counts_work").get<bool>();
}

nlohmann::json summarize_work(const nlohmann::json& manifest, const std::vector<Prediction>& predictions) {
    int64_t image_encodes = 0;
    int64_t new_image_chunks = 0;
    int64_t prompt_tokens = 0;
    int64_t evaluated = 0;
    int64_t reused = 0;
    int64_t new_tokens = 0;
    for (const auto& prediction : predictions) {
        image_encodes += prediction.image_encodes;
        new_image_chunks += prediction.new_image_chunks;
        prompt_tokens += prediction.prompt_tokens;
        evaluated += prediction.prompt_tokens_evaluated;
        reused += prediction.prompt_tokens_reused;
        new_tokens += prediction.new_prompt_tokens;
    }
    const bool counted = engine_counts_work(manifest);
    nlohmann::json work = {
        {"counted_by_engine", counted},
        {"calls", predictions.size()},
        {"prompt_tokens", prompt_tokens},
    };
    if (!counted) {
        return work;
    }
    work["image_encodes"] = image_encodes;
    work["image_encodes_minimum"] = new_image_chunks;
    work["prompt_tokens_evaluated"] = evaluated;
    work["prompt_tokens_reused"] = reused;
    work["prompt_tokens_minimum"] = new_tokens;
    work["image_encodes_over_minimum"] = ratio(image_encodes, new_image_chunks);
    work["prompt_tokens_evaluated_over_minimum"] = ratio(evaluated, new_tokens);
    return work;
}

std::string render_work_section(const nlohmann::json& work) {
    std::string out = "## Work\n\n";
    if (!work.at("counted_by_engine").get<bool>()) {
        out += fmt::format("The engine does not count image encodes or evaluated tokens; the {} calls sent {} prompt "
                           "tokens as the server counted them.\n\n",
                           work.at("calls").get<int64_t>(), work.at("prompt_tokens").get<int64_t>());
        return out;
    }
    out += "What the calls cost against the least this run needs: each distinct image chunk encoded once and each "
           "distinct prompt prefix evaluated once. A run split over sessions (resumed or merged) counts the minimum "
           "per session.\n\n";
    out += "| Work | This run | Minimum | Ratio |\n";
    out += "|---|---:|---:|---:|\n";
    out += fmt::format("| Image encodes | {} | {} | {} |\n", work.at("image_encodes").get<int64_t>(),
                       work.at("image_encodes_minimum").get<int64_t>(), ratio_text(work.at("image_encodes_over_minimum")));
    out += fmt::format("| Prompt tokens evaluated | {} | {} | {} |\n\n", work.at("prompt_tokens_evaluated").get<int64_t>(),
                       work.at("prompt_tokens_minimum").get<int64_t>(),
                       ratio_text(work.at("prompt_tokens_evaluated_over_minimum")));
    const int64_t evaluated = work.at("prompt_tokens_evaluated").get<int64_t>();
    const int64_t reused = work.at("prompt_tokens_reused").get<int64_t>();
    const int64_t total = evaluated + reused;
    out += fmt::format("Prompt tokens reused from the KV cache: {} of {} ({}).\n\n", reused, total,
                       total > 0 ? percent(static_cast<double>(reused) / static_cast<double>(total)) : "n/a");
    return out;
}

}  // namespace medvlm
