// Invalid models, stage files and options stop `medvlm train` with an error
// that names the problem and the fix, before ggml builds a graph (ggml
// aborts the process on mismatched shapes).

#include <gtest/gtest.h>

#include <ggml.h>
#include <gguf.h>

#include "core/error.hpp"
#include "core/files.hpp"
#include "core/text.hpp"
#include "support/test_support.hpp"
#include "train/train_test_data.hpp"
#include "train/trainer.hpp"

namespace medvlm {
namespace {

// A copy of `source` with one string key replaced.
std::filesystem::path copy_with_key(const std::filesystem::path& source, const std::filesystem::path& target,
                                    const std::string& key, const std::string& value) {
    ggml_context* data = nullptr;
    gguf_init_params params{false, &data};
    gguf_context* gguf = gguf_init_from_file(source.string().c_str(), params);
    if (gguf == nullptr) {
        throw std::runtime_error("cannot read " + source.string());
    }
    gguf_context* copy = gguf_init_empty();
    gguf_set_kv(copy, gguf);
    gguf_set_val_str(copy, key.c_str(), value.c_str());
    for (int64_t i = 0; i < gguf_get_n_tensors(gguf); ++i) {
        gguf_add_tensor(copy, ggml_get_tensor(data, gguf_get_tensor_name(gguf, i)));
    }
    const bool written = gguf_write_to_file(copy, target.string().c_str(), false);
    gguf_free(copy);
    gguf_free(gguf);
    ggml_free(data);
    if (!written) {
        throw std::runtime_error("cannot write " + target.string());
    }
    return target;
}

std::string train_error(const std::vector<std::string>& extra, const std::filesystem::path& model,
                        const std::filesystem::path& mmproj, const std::filesystem::path& stage,
                        const std::filesystem::path& out, int expected_exit = 2) {
    std::vector<std::string> arguments = {"train",  "--model", model.string(), "--mmproj", mmproj.string(),
                                          "--data", stage.string(), "--out", out.string(), "--threads", "1"};
    arguments.insert(arguments.end(), extra.begin(), extra.end());
    const auto result = testing::run_medvlm(arguments);
    EXPECT_EQ(result.exit_code, expected_exit) << result.output;
    EXPECT_EQ(result.output.find("GGML_ASSERT"), std::string::npos) << result.output;
    return result.output;
}

class TrainErrors : public ::testing::Test {
protected:
    void SetUp() override {
        dir_ = testing::make_temp_dir("train-errors");
        stage_ = testing::write_stage_file(dir_ / "stage.jsonl", testing::slake_train(3));
    }
    std::filesystem::path dir_;
    std::filesystem::path stage_;
};

TEST_F(TrainErrors, UnsupportedLanguageModelNamesSupported) {
    const auto& files = testing::tiny_model(1);
    const auto model = copy_with_key(files.model, dir_ / "gemma.gguf", "general.architecture", "gemma3");
    const std::string output = train_error({"--variant", "A"}, model, files.mmproj, stage_, dir_ / "out");
    EXPECT_NE(output.find("'gemma3'"), std::string::npos) << output;
    EXPECT_NE(output.find("llama-architecture language model with an idefics3 (SmolVLM) projector"), std::string::npos)
        << output;
}

TEST_F(TrainErrors, UnsupportedProjectorNamesSupported) {
    const auto& files = testing::tiny_model(1);
    const auto mmproj = copy_with_key(files.mmproj, dir_ / "mmproj.gguf", "clip.projector_type", "gemma3");
    const std::string output = train_error({"--variant", "B"}, files.model, mmproj, stage_, dir_ / "out");
    EXPECT_NE(output.find("'gemma3'"), std::string::npos) << output;
    EXPECT_NE(output.find("idefics3"), std::string::npos) << output;
}

TEST_F(TrainErrors, LateVisionBlocksOutOfRange) {
    const auto& files = testing::tiny_model(1);
    const std::string output =
        train_error({"--variant", "C", "--late-vision-blocks", "3"}, files.model, files.mmproj, stage_, dir_ / "out");
    EXPECT_NE(output.find("between 1 and the vision tower's 2 blocks"), std::string::npos) << output;
    const std::string other =
        train_error({"--variant", "A", "--late-vision-blocks", "1"}, files.model, files.mmproj, stage_, dir_ / "out2");
    EXPECT_NE(other.find("variant C only"), std::string::npos) << other;
}

TEST_F(TrainErrors, StageFileProblemsNameLineAndFix) {
    const auto& files = testing::tiny_model(1);
    const auto lines = split(read_file(stage_), '\n');
    nlohmann::json record = nlohmann::json::parse(lines.at(1));

    struct Case {
        std::string name;
        nlohmann::json line;
        std::string expected;
    };
    std::vector<Case> cases;
    nlohmann::json wrong_hash = record;
    wrong_hash["image_sha256"][0] = std::string(64, '0');
    cases.push_back({"wrong hash", wrong_hash, "regenerate the stage file"});
    nlohmann::json no_answer = record;
    no_answer.erase("answer");
    cases.push_back({"missing answer", no_answer, "required field 'answer' is missing"});
    nlohmann::json relative = record;
    relative["images"][0] = "images/x.jpg";
    cases.push_back({"relative image", relative, "is not an absolute path"});
    nlohmann::json bad_stage = record;
    bad_stage["stage"] = 7;
    cases.push_back({"stage 7", bad_stage, "must be 1, 2, 3 or 4"});

    for (const auto& test_case : cases) {
        const auto stage = dir_ / "broken.jsonl";
        testing::write_text(stage, lines.at(0) + "\n" + test_case.line.dump() + "\n");
        const std::string output = train_error({"--variant", "A"}, files.model, files.mmproj, stage, dir_ / "out");
        EXPECT_NE(output.find("broken.jsonl: line 2"), std::string::npos) << test_case.name << ": " << output;
        EXPECT_NE(output.find(test_case.expected), std::string::npos) << test_case.name << ": " << output;
    }

    const auto duplicate = dir_ / "duplicate.jsonl";
    testing::write_text(duplicate, lines.at(0) + "\n" + lines.at(0) + "\n");
    const std::string output = train_error({"--variant", "A"}, files.model, files.mmproj, duplicate, dir_ / "out");
    EXPECT_NE(output.find("duplicate id"), std::string::npos) << output;
}

}  // namespace
}  // namespace medvlm
