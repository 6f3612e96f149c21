#include "curriculum/trainer_exports.hpp"

#include <fmt/format.h>

#include "core/files.hpp"

namespace medvlm {
namespace {

std::string tagged_prompt(const TrainingSample& sample) {
    std::string tags;
    for (size_t i = 0; i < sample.images.size(); ++i) {
        tags += "<image>";
    }
    return tags + sample.prompt;
}

nlohmann::ordered_json messages(const std::string& user, const std::string& assistant) {
    return nlohmann::ordered_json::array({{{"role", "user"}, {"content", user}}, {{"role", "assistant"}, {"content", assistant}}});
}

std::string jsonl(const std::vector<nlohmann::ordered_json>& lines) {
    std::string text;
    for (const auto& line : lines) {
        text += line.dump() + "\n";
    }
    return text;
}

}  // namespace

nlohmann::ordered_json write_trainer_exports(const std::filesystem::path& directory,
                                     const std::map<int, std::vector<TrainingSample>>& stages) {
    namespace fs = std::filesystem;
    const fs::path llama_factory = directory / "llama-factory";
    const fs::path ms_swift = directory / "ms-swift";
    const fs::path mlx_vlm = directory / "mlx-vlm";
    fs::create_directories(llama_factory);
    fs::create_directories(ms_swift);

    nlohmann::ordered_json dataset_info = nlohmann::ordered_json::object();
    nlohmann::ordered_json files = {{"llama-factory", nlohmann::ordered_json::array()},
                            {"ms-swift", nlohmann::ordered_json::array()},
                            {"mlx-vlm", nlohmann::ordered_json::array()}};
    for (const auto& [stage, samples] : stages) {
        nlohmann::ordered_json sharegpt = nlohmann::ordered_json::array();
        std::vector<nlohmann::ordered_json> swift_lines;
        std::vector<nlohmann::ordered_json> mlx_lines;
        for (const auto& sample : samples) {
            sharegpt.push_back({{"messages", messages(tagged_prompt(sample), sample.answer)}, {"images", sample.images}});
            swift_lines.push_back({{"messages", messages(tagged_prompt(sample), sample.answer)}, {"images", sample.images}});
            mlx_lines.push_back({{"images", sample.images}, {"messages", messages(sample.prompt, sample.answer)}});
        }

        const std::string name = fmt::format("stage{}", stage);
        write_file_atomic(llama_factory / (name + ".json"), sharegpt.dump(1) + "\n");
        write_file_atomic(ms_swift / (name + ".jsonl"), jsonl(swift_lines));
        fs::create_directories(mlx_vlm / name);
        write_file_atomic(mlx_vlm / name / "train.jsonl", jsonl(mlx_lines));
        files["llama-factory"].push_back((llama_factory / (name + ".json")).string());
        files["ms-swift"].push_back((ms_swift / (name + ".jsonl")).string());
        files["mlx-vlm"].push_back((mlx_vlm / name / "train.jsonl").string());

        if (!samples.empty()) {
            dataset_info["medvlm_" + name] = {
                {"file_name", name + ".json"},
                {"formatting", "sharegpt"},
                {"columns", {{"messages", "messages"}, {"images", "images"}}},
                {"tags", {{"role_tag", "role"}, {"content_tag", "content"}, {"user_tag", "user"},
                          {"assistant_tag", "assistant"}}},
            };
        }
    }
    write_file_atomic(llama_factory / "dataset_info.json", dataset_info.dump(2) + "\n");
    files["llama-factory"].push_back((llama_factory / "dataset_info.json").string());

    return {
        {"files", files},
        {"usage",
         {{"llama-factory", fmt::format("dataset_dir: {} and dataset: medvlm_stage1 (one entry per non-empty stage "
                                        "in dataset_info.json)",
                                        llama_factory.string())},
          {"ms-swift", fmt::format("swift sft --dataset {}", (ms_swift / "stage1.jsonl").string())},
          {"mlx-vlm", fmt::format("python -m mlx_vlm.lora --dataset {} --split train",
                                  (mlx_vlm / "stage1").string())}}},
        {"notes",
         {"Image paths are absolute; move the images and the paths must be rewritten.",
          "mlx-vlm's LoRA script requires an images column; text-only instruction samples (an empty images "
          "list) are not known to work with it."}},
    };
}

}  // namespace medvlm
